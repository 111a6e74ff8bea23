"""The default topic taxonomy: names, what each covers, and the example phrases classification compares with.

Examples are short, in several languages (e5 embeds a Czech complaint and an English phrase into one space, so
English alone works cross-lingually; a few cs/sk/ru phrases per topic make short texts steadier). They were
written for careloop, not copied from any labelled set: tests/data/topics_labelled.jsonl is never an example.
careloop.yaml `topics.examples` adds phrases or whole topics; `topics.replace: true` uses only its own.
"""
from __future__ import annotations

from careloop.understanding_config import DEFAULT_TOPIC_NAMES

DESCRIPTIONS = {
    "delivery": "orders, shipping, delays",
    "repair": "warranty claims, service centre, reklamace",
    "account": "login, password, account access",
    "billing": "charges, refunds, invoices, subscriptions",
    "app_bug": "app or software crashes, errors, broken features",
    "hardware": "device faults: battery, screen, charging, overheating",
    "availability": "stock, price, where to buy, release dates",
    "feature_request": "something the customer wishes the product did",
    "praise": "thanks and compliments",
    "other": "about the brand but none of these",
}

EXAMPLES: dict[str, list[str]] = {
    "delivery": [
        "Package stuck in transit", "Wrong item was shipped to me", "Something was missing from the package",
        "V balíku chyběla část objednávky", "Zásilka je ztracená, přepravce neví kde je", "Objednávka je pořád ve stavu vyřizuje se", "Balík ešte stále nie je na ceste", "Заказ потерялся при пересылке",
        "My order still hasn't arrived", "The parcel is late, where is my package?", "Shipping took two weeks",
        "The courier never delivered my order", "Tracking number shows nothing", "Delivery was delayed again",
        "Objednávka stále nedorazila", "Kdy mi přijde balík? Čekám už týden na doručení",
        "Zásielka ešte neprišla, kuriér nedoručil", "Где мой заказ? Доставка задерживается",
        "Посылка так и не пришла",
    ],
    "repair": [
        "Service point sent the phone back unrepaired", "Záruční servis nedodržel lhůtu", "Oprava v záruke trvá príliš dlho", "Гарантийный случай не признали",
        "My phone has been at the service centre for a month", "The warranty repair is taking forever",
        "I sent the device for repair and still have no news", "Warranty claim was rejected",
        "When will I get my phone back from the repair?", "Reklamace trvá už měsíc", "Telefon je v servisu a nikdo se neozývá",
        "Reklamácia stále nie je vybavená, telefón je v servise", "Ремонт по гарантии длится уже месяц",
        "Сервисный центр не возвращает телефон",
    ],
    "account": [
        "I forgot my username and email", "Přihlášení do účtu nefunguje", "Zabudnuté heslo sa nedá obnoviť", "Учётная запись заблокирована",
        "I can't log in to my account", "Password reset email never comes", "My account was locked",
        "Sign in fails with wrong password even though it is correct", "Two-factor code does not arrive",
        "Nemůžu se přihlásit k účtu", "Zapomenuté heslo nejde obnovit", "Nedá sa prihlásiť do účtu",
        "Не могу войти в аккаунт", "Не приходит код для входа",
    ],
    "billing": [
        "I want my money back", "Unexpected charge on my bank statement", "Kdy dostanu zpět peníze za vrácené zboží?", "Stiahli mi peniaze z účtu navyše", "Peniaze za objednávku mi nevrátili", "Возврат средств так и не пришёл", "Неправильная сумма в счёте",
        "I was charged twice", "Where is my refund?", "Please cancel my subscription", "Wrong amount on the invoice",
        "You took money from my card without permission", "Vraťte mi peníze, platba proběhla dvakrát",
        "Faktura má špatnou částku", "Chcem zrušiť predplatné a vrátiť peniaze", "Списали деньги дважды",
        "Когда вернут деньги за заказ?",
    ],
    "app_bug": [
        "Sync fails and data disappears in the app", "Aplikace se nenačte a ukazuje chybu", "Aplikácia nefunguje po update", "Приложение не открывается",
        "The app crashes on start", "App keeps freezing after the update", "Error message when I open the app",
        "The new version broke notifications", "Button does nothing, the app is buggy", "Aplikace padá po aktualizaci",
        "Aplikace hlásí chybu a nejde otevřít", "Aplikácia spadne hneď po spustení", "Приложение вылетает после обновления",
        "В приложении ошибка, ничего не работает",
    ],
    "hardware": [
        "Camera takes blurry photos and the microphone is quiet", "Telefon se sám vypíná a nejde zapnout", "Batéria sa nafúkla a telefón sa prehrieva", "Не работает динамик и кнопка питания",
        "The battery drains in a few hours", "Screen cracked by itself", "Phone overheats while charging",
        "It won't charge anymore", "The display has dead pixels and flickers", "Speaker crackles and the camera is blurry",
        "Baterie vydrží jen půl dne", "Telefon se přehřívá a nenabíjí", "Displej bliká a praskol",
        "Батарея быстро садится", "Экран перестал реагировать на касания", "Телефон сильно греется",
    ],
    "availability": [
        "Is this model sold out everywhere?", "Bude tento model k dostání v Česku?", "Kde kúpiť tento telefón a aká je cena?", "Где купить и когда будет в наличии?",
        "When will it be back in stock?", "Where can I buy this model?", "Is it available in my country?",
        "What is the price of the new phone?", "When is the release date?", "Kdy bude znovu skladem?",
        "Kde se dá koupit a za kolik?", "Kedy bude dostupný na Slovensku?", "Когда появится в продаже?",
        "Сколько стоит новая модель?",
    ],
    "feature_request": [
        "Suggestion: add a setting to customise the home screen", "Chybí mi možnost nastavit vlastní vyzvánění", "Navrhujem pridať novú funkciu do aplikácie", "Предлагаю добавить новую функцию",
        "Please add dark mode", "It would be great if the app supported widgets", "I wish you would add an option to export",
        "Could you add support for eSIM?", "Feature request: let me change the font size", "Přidejte prosím tmavý režim",
        "Bylo by fajn, kdyby aplikace uměla export", "Prosím pridajte možnosť zálohy", "Добавьте, пожалуйста, тёмную тему",
        "Хотелось бы функцию экспорта",
    ],
    "praise": [
        "Thanks, you did a great job", "Jsem moc spokojený, díky moc", "Ďakujem, všetko prebehlo výborne", "Спасибо, очень доволен покупкой",
        "Great phone, I love it", "Thank you for the quick help!", "Excellent service, very satisfied",
        "Best support team ever", "Works perfectly, highly recommend", "Skvělý telefon, jsem spokojený",
        "Děkuji za rychlou pomoc", "Výborný obchod, všetko super", "Отличный телефон, спасибо!", "Всё супер, рекомендую",
    ],
    "other": [
        "News: the brand sponsors a sports event", "The company is hiring engineers in Finland", "Zpráva o firmě v dnešních novinách", "Článok o novej stratégii spoločnosti", "Новость о компании в прессе", "Company acquisition rumours in the press",
        "The company announced a new CEO", "Interesting article about the brand's history", "I remember my first phone from them",
        "They are opening a new office", "Quarterly results were published today", "Firma oznámila nového ředitele",
        "Zajímavý rozhovor o historii značky", "Spoločnosť otvorila novú kanceláriu", "Компания объявила о новом директоре",
        "Статья об истории бренда",
    ],
}

DEFAULT_TOPICS = tuple(EXAMPLES)
assert DEFAULT_TOPICS == DEFAULT_TOPIC_NAMES, "the taxonomy and careloop.understanding_config must name the same topics"
