"""Concrete facts in a mention's words, so a draft can name the problem: the product, order and claim numbers, how
long the customer has waited ("35 dní", "three weeks", "неделю"), the app version and the platform.

Patterns are word beginnings, as elsewhere in drafting: Czech, Slovak and Russian inflect ("reklamaci",
"objednávky", "заказа"). Everything found here is the customer's own text: templates get it as values (never as
template source), and the quality checks still read the rendered reply.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {  # unit → (pattern of its word forms in en/cs/sk/ru, days)
    "hour": (r"hours?|hodin\w*|hodiny|час\w*", 1 / 24),
    "day": (r"days?|dn[ůíiy]\w*|den|dní|dňa|deň|дн\w+|день|дня", 1),
    "week": (r"weeks?|týd\w+|týž\w+|недел\w+", 7),
    "month": (r"months?|měsíc\w*|mesiac\w*|месяц\w*", 30),
}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "couple": 2, "several": 3, "few": 3,
    "jeden": 1, "jednu": 1, "dva": 2, "dvě": 2, "dve": 2, "tři": 3, "tri": 3, "čtyři": 4, "štyri": 4,
    "pět": 5, "päť": 5, "šest": 6, "šesť": 6, "sedm": 7, "sedem": 7, "osm": 8, "osem": 8, "deset": 10, "desať": 10,
    "один": 1, "одну": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "десять": 10, "пару": 2, "несколько": 3,
}
_WAIT_CUES = r"already|for|over|taken|takes|waiting|waited|už|uz|již|trvá|trvala|trvalo|čekám|čakám|více než|viac ako|přes|уже|жду|ждём|длится|более|больше"
_NUMBER = r"\d{1,3}|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
_UNIT = "|".join(f"(?P<{unit}>{pattern})" for unit, (pattern, _) in UNITS.items())
_DURATION = re.compile(rf"(?<!\w)(?:(?P<number>{_NUMBER})[\s-]+(?:of\s+)?|(?P<cue>{_WAIT_CUES})\s+)(?:{_UNIT})(?!\w)", re.IGNORECASE)
_AGO = re.compile(rf"(?<!\w)(?:{_UNIT})\s+(?:ago|назад)(?!\w)", re.IGNORECASE)  # "неделю назад": one week
_REFERENCE = r"\s*(?:no\.?|number|nr\.?|č\.|čís\.|číslo|#|№|n°)?\s*[:#№]?\s*(?P<value>[A-Z]{0,4}-?\d[\dA-Z-]{3,19})\b"
_ORDER = re.compile(rf"(?<!\w)(?:order|objednáv\w*|objednavk\w*|заказ\w*){_REFERENCE}", re.IGNORECASE)
_CLAIM = re.compile(rf"(?<!\w)(?:claim|ticket|case|rma|reklamac\w*|reklamác\w*|zakázk\w*|заявк\w*|обращени\w*|ремонт\w*){_REFERENCE}",
                    re.IGNORECASE)
_VERSION = re.compile(r"(?<!\w)(?:version|verze|verzi|verzia|verzii|версия|версии|update|aktualizac\w*|aktualizác\w*|"
                      r"обновлени\w*|app|aplikace|aplikácia|приложение|v)\s*(?P<v>\d+(?:\.\d+){1,3})(?![\d.]*\w)|(?P<w>\d+(?:\.\d+){1,3})\s+(?:update|version)",
                      re.IGNORECASE)
_PLATFORMS = (("Android", r"android|андроид"), ("iOS", r"ios|iphone|ipad|айфон"), ("Windows", r"windows"),
              ("macOS", r"macos|mac os|macbook"), ("web", r"browser|prohlížeč|prehliadač|браузер"))
_PLATFORM = [(name, re.compile(rf"(?<!\w)(?:{pattern})", re.IGNORECASE)) for name, pattern in _PLATFORMS]  # "iPhonu"
_SOURCE_PLATFORM = {"appstore": "iOS", "googleplay": "Android"}


@dataclass(frozen=True)
class Wait:
    number: int
    unit: str  # hour | day | week | month

    @property
    def days(self) -> float:
        return self.number * UNITS[self.unit][1]


@dataclass(frozen=True)
class Details:
    product: str | None = None
    order_number: str | None = None
    claim_number: str | None = None
    waited: Wait | None = None
    app_version: str | None = None
    platform: str | None = None  # as a reply names it: Android, iOS, Windows, macOS, web


def product_in(text: str, products: list[str]) -> str | None:
    """The first of the brand's products the text names (as a word: "G42", not "G420"), as the brand spells it."""
    for product in products:
        if re.search(rf"(?<![\w]){re.escape(product)}(?![\w])", text, re.IGNORECASE):
            return product
    return None


def longest_wait(text: str) -> Wait | None:
    waits = []
    for match in [*_DURATION.finditer(text), *_AGO.finditer(text)]:
        unit = next(name for name in UNITS if match.group(name))
        raw = ((match.groupdict().get("number")) or "1").lower()
        number = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 1)
        if number > 0:
            waits.append(Wait(number, unit))
    return max(waits, key=lambda wait: wait.days, default=None)


def extract(text: str, products: list[str], source_type: str = "") -> Details:
    order, claim, version = _ORDER.search(text), _CLAIM.search(text), _VERSION.search(text)
    platform = next((name for name, pattern in _PLATFORM if pattern.search(text)), _SOURCE_PLATFORM.get(source_type))
    return Details(
        product=product_in(text, products),
        order_number=order.group("value") if order else None,
        claim_number=claim.group("value") if claim else None,
        waited=longest_wait(text),
        app_version=(version.group("v") or version.group("w")) if version else None,
        platform=platform,
    )


_FORMS = {  # one, few (2–4), many; English: one, other
    "en": {"hour": ("an hour", "{n} hours", "{n} hours"), "day": ("a day", "{n} days", "{n} days"),
           "week": ("a week", "{n} weeks", "{n} weeks"), "month": ("a month", "{n} months", "{n} months")},
    "cs": {"hour": ("hodinu", "{n} hodiny", "{n} hodin"), "day": ("den", "{n} dny", "{n} dní"),
           "week": ("týden", "{n} týdny", "{n} týdnů"), "month": ("měsíc", "{n} měsíce", "{n} měsíců")},
    "sk": {"hour": ("hodinu", "{n} hodiny", "{n} hodín"), "day": ("deň", "{n} dni", "{n} dní"),
           "week": ("týždeň", "{n} týždne", "{n} týždňov"), "month": ("mesiac", "{n} mesiace", "{n} mesiacov")},
    "ru": {"hour": ("час", "{n} часа", "{n} часов"), "day": ("день", "{n} дня", "{n} дней"),
           "week": ("неделю", "{n} недели", "{n} недель"), "month": ("месяц", "{n} месяца", "{n} месяцев")},
}


def say_wait(wait: Wait, language: str) -> str:
    """"35 days", "35 dní", "3 týždne", "неделю": the wait in the reply's language, as long as the customer said."""
    one, few, many = _FORMS.get(language, _FORMS["en"])[wait.unit]
    n = wait.number
    if n == 1:
        return one
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return f"{n} {one}"  # 21 день, 31 неделю
        return (few if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else many).format(n=n)
    return (few if language in ("cs", "sk") and 2 <= n <= 4 else many).format(n=n)
