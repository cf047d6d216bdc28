"""The look-up by reference and the phone's last four digits, and its limits."""

from __future__ import annotations

import re
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaints.status_links import complaint_for_token
from portal.throttle import WINDOW_SECONDS, try_count
from tests.complaints.helpers import complaint_at
from tests.complaints.page_helpers import NOW
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

NOBODY_S = "TS-HY-260101-9999"


@pytest.fixture(autouse=True)
def _office_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def look_up(client: Client, reference: str, digits: str, **extra):
    return client.post("/status/", {"reference": reference, "phone_last4": digits}, **extra)


def answer(response, reference: str) -> str:
    """What the reader gets, apart from the reference they typed and the form's CSRF token."""
    text = response.content.decode().replace(reference, "REFERENCE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_the_right_reference_and_digits_open_the_complaint(supervisor, estate, resident):
    complaint = log_complaint(supervisor, estate=estate, contact_phone="13812345678")

    response = look_up(Client(), complaint.reference.lower(), "5678")

    assert response.status_code == 302
    token = re.fullmatch(r"/s/([^/]+)/", response["Location"])[1]
    assert complaint_for_token(token) == complaint


def test_the_resident_s_phone_counts_when_the_complaint_has_no_contact_phone(
    supervisor, estate, unit, resident
):
    complaint = log_complaint(
        supervisor, estate=estate, unit=unit, resident=resident, contact_name="", contact_phone=""
    )
    assert resident.phone.endswith("5678")

    assert look_up(Client(), complaint.reference, "5678").status_code == 302
    assert look_up(Client(), complaint.reference, "0000").status_code == 200


def test_a_wrong_reference_and_wrong_digits_get_the_same_answer_after_the_same_work(
    supervisor, estate
):
    complaint = log_complaint(supervisor, estate=estate, contact_phone="13812345678")
    client = Client()

    with CaptureQueriesContext(connection) as wrong_digits_queries:
        wrong_digits = look_up(client, complaint.reference, "1234")
    with CaptureQueriesContext(connection) as wrong_reference_queries:
        wrong_reference = look_up(client, NOBODY_S, "5678")

    assert wrong_digits.status_code == wrong_reference.status_code == 200
    assert answer(wrong_digits, complaint.reference) == answer(wrong_reference, NOBODY_S)
    assert "We found no complaint with that reference and phone number" in answer(
        look_up(client, NOBODY_S, "5678", QUERY_STRING="lang=en"), NOBODY_S
    )
    assert "没有找到与该编号和电话号码相符的投诉" in wrong_digits.content.decode()
    assert len(wrong_digits_queries) == len(wrong_reference_queries)


def test_a_link_expired_is_not_found_by_the_look_up_either(supervisor, estate):
    closed = complaint_at("closed", actor=supervisor, estate=estate)

    with time_machine.travel(NOW.replace(year=NOW.year + 1), tick=False):
        response = look_up(Client(), closed.reference, "5678")

    assert response.status_code == 200
    assert "没有找到" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "reference", "Enter the reference of your complaint."),
        ({"reference": "TS-HY-260310-0001"}, "phone_last4", "Enter the last 4 digits"),
        (
            {"reference": "TS-HY-260310-0001", "phone_last4": "12a4"},
            "phone_last4",
            "Enter exactly 4 digits.",
        ),
        (
            {"reference": "TS-HY-260310-0001", "phone_last4": "١٢٣٤"},
            "phone_last4",
            "Enter exactly 4 digits.",
        ),
        (
            {"reference": "TS-HY-260310-0001", "phone_last4": "12345"},
            "phone_last4",
            "Enter exactly 4 digits.",
        ),
        ({"reference": "TS" * 40, "phone_last4": "1234"}, "reference", "at most 32 characters"),
        (
            {"reference": "TS HY <b>", "phone_last4": "1234"},
            "reference",
            "only letters, digits and dashes",
        ),
    ],
)
def test_bad_input_is_refused_on_the_form(data, field, message):
    response = Client().post("/status/?lang=en", data)

    assert response.status_code == 400
    errors = re.findall(rf'data-testid="error-{field}">([^<]+)<', response.content.decode())
    assert errors and message in errors[0], response.content.decode()[:2000]


def test_bad_input_counts_as_a_try_and_is_not_echoed_back_whole():
    client = Client(REMOTE_ADDR="198.51.100.9")
    answers = [client.post("/status/", {"reference": "X" * 100_000}) for _ in range(10)]

    assert [a.status_code for a in answers] == [400] * 10
    assert len(answers[0].content) < 20_000
    assert "投诉编号最多 32 个字符" in answers[0].content.decode()
    assert look_up(client, NOBODY_S, "1234").status_code == 429


def test_full_width_digits_are_read_as_digits(supervisor, estate):
    complaint = log_complaint(supervisor, estate=estate, contact_phone="13812345678")

    found = look_up(Client(), complaint.reference.lower(), "５６７８")

    assert found.status_code == 302


def test_the_eleventh_try_in_an_hour_from_one_address_is_refused(supervisor, estate):
    complaint = log_complaint(supervisor, estate=estate, contact_phone="13812345678")
    client = Client(REMOTE_ADDR="198.51.100.7")

    tries = [look_up(client, f"TS-HY-260101-{n:04d}", "1234") for n in range(10)]
    eleventh = look_up(client, complaint.reference, "5678")
    elsewhere = look_up(Client(REMOTE_ADDR="198.51.100.8"), complaint.reference, "5678")

    assert [t.status_code for t in tries] == [200] * 10
    assert eleventh.status_code == 429, "even with the right answer"
    assert "尝试次数过多" in eleventh.content.decode()
    assert 0 < int(eleventh["Retry-After"]) <= WINDOW_SECONDS
    assert eleventh["X-Robots-Tag"] == "noindex, nofollow"
    assert elsewhere.status_code == 302
    english = look_up(client, complaint.reference, "5678", QUERY_STRING="lang=en")
    assert "Too many tries" in english.content.decode()


def test_the_window_ends_after_the_hour(supervisor, estate):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(11):
        last = look_up(client, f"TS-HY-260101-{n:04d}", "1234")
    assert last.status_code == 429

    with time_machine.travel(NOW.timestamp() + WINDOW_SECONDS, tick=False):
        assert look_up(client, NOBODY_S, "1234").status_code == 200


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(settings):
    settings.DESK_TRUSTED_PROXIES = 1
    nginx = {"REMOTE_ADDR": "10.0.0.2"}
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.5", **nginx)
    second = Client(HTTP_X_FORWARDED_FOR="203.0.113.6", **nginx)

    tries = [look_up(first, f"TS-HY-260101-{n:04d}", "1234").status_code for n in range(11)]
    other = look_up(second, NOBODY_S, "1234")

    assert tries == [200] * 10 + [429]
    assert other.status_code == 200


def test_a_forged_forwarded_address_does_not_escape_the_count_without_a_trusted_proxy(settings):
    settings.DESK_TRUSTED_PROXIES = 0
    statuses = [
        look_up(
            Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"),
            f"TS-HY-260101-{n:04d}",
            "1234",
        ).status_code
        for n in range(11)
    ]

    assert statuses == [200] * 10 + [429]


def test_one_reference_cannot_be_walked_from_many_addresses(supervisor, estate):
    complaint = log_complaint(supervisor, estate=estate, contact_phone="13812345678")

    guesses = [
        look_up(Client(REMOTE_ADDR=f"198.51.100.{n}"), complaint.reference, f"{n:04d}")
        for n in range(10)
    ]
    right_at_last = look_up(Client(REMOTE_ADDR="198.51.100.200"), complaint.reference, "5678")
    another_reference = look_up(Client(REMOTE_ADDR="198.51.100.200"), NOBODY_S, "5678")

    assert [g.status_code for g in guesses] == [200] * 10
    assert right_at_last.status_code == 429
    assert another_reference.status_code == 200


def test_the_form_reads_in_chinese_by_default_and_keeps_the_reference_asked_for():
    response = Client().get("/status/", {"reference": "TS-HY-260310-0001"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "查询投诉" in text and "手机号码后 4 位" in text
    assert 'value="TS-HY-260310-0001"' in text


@pytest.mark.redis
def test_the_count_is_atomic_across_threads_on_redis(settings, redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    counts: list[int] = []
    lock = threading.Lock()

    def tries() -> None:
        for _ in range(25):
            seen = try_count(scope="test", subject="198.51.100.1", limit=10, now=NOW.timestamp())
            with lock:
                counts.append(seen.count)

    threads = [threading.Thread(target=tries) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counts) == list(range(1, 201))


@pytest.mark.parametrize(
    ("accept", "english"),
    [("en-US,en;q=0.9", True), ("zh-CN,zh;q=0.9,en;q=0.8", False), ("", False), ("fr", False)],
)
def test_the_browser_that_prefers_english_is_answered_in_english(accept, english):
    page = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/status/").content.decode()

    assert ("Complaint reference" in page) is english
