"""Facts pulled from the customer's words for templates: product, order/claim numbers, waiting time in
en/cs/sk/ru (said back in the reply's language), app version, platform."""
import pytest

from drafting.extract import Wait, extract, say_wait

PRODUCTS = ["XR21", "G42", "X30"]


@pytest.mark.parametrize("text, wait", [
    ("Where is my phone? The repair has taken 35 days", Wait(35, "day")),
    ("Reklamace trvá už 35 dní", Wait(35, "day")),
    ("Reklamace trvá už měsíc", Wait(1, "month")),
    ("Čakám už 3 týždne", Wait(3, "week")),
    ("Заказал замену экрана неделю назад", Wait(1, "week")),
    ("Жду уже 5 дней", Wait(5, "day")),
    ("Waiting three weeks for a reply, and two days ago they said soon", Wait(3, "week")),
    ("Great phone, had it for two years", None),
])
def test_waiting_time(text, wait):
    assert extract(text, PRODUCTS).waited == wait


def test_said_back_in_the_reply_language():
    assert [say_wait(Wait(35, "day"), lang) for lang in ("en", "cs", "sk", "ru")] == ["35 days", "35 dní", "35 dní", "35 дней"]
    assert [say_wait(Wait(3, "week"), lang) for lang in ("en", "cs", "sk", "ru")] == ["3 weeks", "3 týdny", "3 týždne", "3 недели"]
    assert [say_wait(Wait(1, "week"), lang) for lang in ("en", "cs", "ru")] == ["a week", "týden", "неделю"]
    assert say_wait(Wait(21, "day"), "ru") == "21 день"


def test_numbers_product_version_platform():
    details = extract("Objednávka č. 2023-55810: XR21 přišel rozbitý, reklamace RK-20231", PRODUCTS)
    assert (details.product, details.order_number, details.claim_number) == ("XR21", "2023-55810", "RK-20231")
    assert extract("Заказ №458812 не пришёл", PRODUCTS).order_number == "458812"
    assert extract("My G420 is fine", PRODUCTS).product is None  # a word, not a prefix
    app = extract("Od verze 3.4.0 aplikace spadne hned po spuštění (iPhone 13, iOS 18)", PRODUCTS)
    assert (app.app_version, app.platform) == ("3.4.0", "iOS")
    assert extract("Crashes since the 4.3 update", PRODUCTS).app_version == "4.3"
    assert extract("Crashes all the time", PRODUCTS, source_type="googleplay").platform == "Android"
    assert extract("It costs 2.5 times more than last year", PRODUCTS).app_version is None
