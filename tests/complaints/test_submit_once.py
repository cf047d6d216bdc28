"""A complaint sent twice is logged once: the intake form's one-time token, the API's
Idempotency-Key, and two sendings racing each other on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import yaml
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from complaints.models import (
    Complaint,
    ComplaintEvent,
    Escalation,
    Evidence,
    ReferenceCounter,
    SubmissionKey,
)
from complaints.tasks import forget_submission_keys
from tests.complaints.api_helpers import client_for, office_clock
from tests.complaints.page_helpers import png_bytes, signed_in, text, upload
from tests.complaints.test_pages_intake import intake_data
from tests.factories import log_complaint

ALREADY_SAVED = "This complaint was already saved: it was sent twice and saved once."
TOKEN_REFUSED = "This form is over a day old or was altered: check it and save it again."
KEY_REUSED = (
    "This Idempotency-Key was used with another body. Send the same body to get the first "
    "answer again, or use a new key for a new complaint."
)


@pytest.fixture
def clock():
    with office_clock() as traveller:
        yield traveller


def form_token(response) -> str:
    match = re.search(r'name="submission" value="([^"]+)"', text(response))
    assert match, "the intake form carries no token"
    return match.group(1)


def api_body(**overrides) -> dict:
    return {
        "estate": "HY",
        "channel": "phone",
        "category": "FAC-LIFT",
        "summary": "电梯停运",
        "account": "3号楼电梯从早上开始停运。",
        "contact_name": "王芳",
        "contact_phone": "13812345678",
        **overrides,
    }


def post_keyed(client: APIClient, key: str, body: dict):
    return client.post("/api/v1/complaints/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


# --- the intake form ------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_form_carries_a_token_of_its_own(clock, frontdesk, estate):
    browser = signed_in(frontdesk)

    first, second = (form_token(browser.get("/complaints/new/")) for _ in range(2))

    assert first != second
    assert re.search(
        r'<input type="hidden" name="submission" value="[^"]+"',
        text(browser.get("/complaints/new/")),
    )


@pytest.mark.django_db
def test_a_form_sent_twice_logs_one_complaint_and_shows_it(clock, frontdesk, estate, unit):
    browser = signed_in(frontdesk)
    data = intake_data(unit) | {"submission": form_token(browser.get("/complaints/new/"))}
    data_with_files = data | {"evidence": [upload("lift.png", png_bytes())]}

    first = browser.post("/complaints/new/", data_with_files)
    data_with_files["evidence"] = [upload("lift.png", png_bytes())]
    second = browser.post("/complaints/new/", data_with_files, follow=True)

    complaint = Complaint.objects.get()
    shown = f"/complaints/{complaint.reference}/?created=1"
    assert first.status_code == 302 and first.headers["Location"] == shown
    assert second.redirect_chain == [(shown, 302)]
    assert ALREADY_SAVED in text(second)
    assert f'data-testid="created-reference">{complaint.reference}' in text(second)
    # Not a repeat of itself, not escalated, one of everything.
    assert complaint.repeat_of is None and complaint.escalation_level == 0
    assert not Escalation.objects.exists()
    assert ComplaintEvent.objects.filter(kind="created").count() == 1
    assert Evidence.objects.count() == 1
    assert ReferenceCounter.objects.get().last == 1


@pytest.mark.django_db
def test_the_message_is_in_the_users_language(clock, frontdesk, estate, unit):
    browser = signed_in(frontdesk, "zh-hans")
    data = intake_data(unit) | {"submission": form_token(browser.get("/complaints/new/"))}
    browser.post("/complaints/new/", data)

    second = browser.post("/complaints/new/", data, follow=True)

    assert "此投诉已经保存：表单提交了两次，投诉只保存了一次。" in text(second)
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_form_sent_back_keeps_its_token_and_logs_once_when_corrected(
    clock, frontdesk, estate, unit
):
    browser = signed_in(frontdesk)
    token = form_token(browser.get("/complaints/new/"))

    refused = browser.post("/complaints/new/", intake_data(unit, account="", submission=token))
    corrected = browser.post("/complaints/new/", intake_data(unit, submission=token))
    again = browser.post("/complaints/new/", intake_data(unit, submission=token))

    assert refused.status_code == 400 and form_token(refused) == token
    assert corrected.status_code == again.status_code == 302
    assert corrected.headers["Location"] == again.headers["Location"]
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_another_users_token_is_refused_and_logs_nothing(clock, frontdesk, supervisor, unit):
    token = form_token(signed_in(frontdesk).get("/complaints/new/"))

    response = signed_in(supervisor).post("/complaints/new/", intake_data(unit, submission=token))

    assert response.status_code == 400
    assert response.context["form"].errors["submission"] == [TOKEN_REFUSED]
    assert f'data-testid="submission-error">{TOKEN_REFUSED}' in text(response)
    assert not Complaint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("altered", ["x", "not-a-token", "{token}x", "{key}"])
def test_an_altered_token_is_refused_and_logs_nothing(clock, frontdesk, unit, altered):
    browser = signed_in(frontdesk)
    token = form_token(browser.get("/complaints/new/"))
    value = altered.format(token=token, key=token.split(":")[0])

    response = browser.post("/complaints/new/", intake_data(unit, submission=value))

    assert response.status_code == 400
    assert response.context["form"].errors["submission"] == [TOKEN_REFUSED]
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_token_over_a_day_old_is_refused_with_a_fresh_one_to_save_with(clock, frontdesk, unit):
    browser = signed_in(frontdesk)
    token = form_token(browser.get("/complaints/new/"))
    clock.shift(dt.timedelta(days=1, minutes=1))

    refused = browser.post("/complaints/new/", intake_data(unit, submission=token))
    fresh = form_token(refused)
    saved = browser.post("/complaints/new/", intake_data(unit, submission=fresh))

    assert refused.status_code == 400 and TOKEN_REFUSED in text(refused)
    assert fresh != token
    assert saved.status_code == 302 and Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_form_without_a_token_logs_each_time(clock, frontdesk, unit):
    # A client of its own (a script, an old page) has no token, and no protection.
    browser = signed_in(frontdesk)

    for _ in range(2):
        assert browser.post("/complaints/new/", intake_data(unit)).status_code == 302

    assert Complaint.objects.count() == 2


# --- the API's Idempotency-Key --------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_and_body_answer_the_first_answer_and_log_nothing(clock, frontdesk, estate):
    desk = client_for(frontdesk)
    first = post_keyed(desk, "c0ffee-1", api_body())
    reference = first.json()["reference"]
    desk.post(f"/api/v1/complaints/{reference}/actions/accept/", {}, format="json")

    again = post_keyed(desk, "c0ffee-1", api_body())

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # the first answer, though the complaint moved on
    assert again.json()["stage"] == "intake" and again.json()["version"] == 1
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Complaint.objects.count() == 1
    assert ComplaintEvent.objects.filter(kind="created").count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(clock, frontdesk, estate):
    desk = client_for(frontdesk)
    post_keyed(desk, "c0ffee-2", api_body())

    response = post_keyed(desk, "c0ffee-2", api_body(summary="电梯又停了"))

    assert (response.status_code, response.json()) == (422, {"detail": KEY_REUSED})
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_key_is_the_users_own(clock, frontdesk, supervisor, estate):
    desk, boss = client_for(frontdesk), client_for(supervisor)
    mine = post_keyed(desk, "same-key", api_body())

    theirs = post_keyed(boss, "same-key", api_body())

    assert theirs.status_code == 201
    assert theirs.json()["reference"] != mine.json()["reference"]
    assert post_keyed(desk, "same-key", api_body()).json() == mine.json()
    assert post_keyed(boss, "same-key", api_body()).json() == theirs.json()
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "键", "tab\there"])
def test_a_malformed_key_is_400_and_logs_nothing(clock, frontdesk, estate, key):
    response = post_keyed(client_for(frontdesk), key, api_body())

    assert response.status_code == 400
    assert response.json() == {
        "Idempotency-Key": ["Give 1 to 255 printable ASCII characters, without spaces."]
    }
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_refused_body_does_not_take_the_key(clock, frontdesk, estate):
    desk = client_for(frontdesk)

    refused = post_keyed(desk, "k-3", api_body(account=""))
    logged = post_keyed(desk, "k-3", api_body())

    assert refused.status_code == 400 and logged.status_code == 201
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_the_schema_documents_the_header_and_the_422(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    create = schema["paths"]["/api/v1/complaints/"]["post"]
    [header] = [p for p in create["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and not header.get("required")
    assert "422" in create["responses"]
    assert "422" not in schema["paths"]["/api/v1/complaints/"]["get"]["responses"]


@pytest.mark.django_db
def test_keys_are_forgotten_after_a_day_and_the_task_is_safe_to_run_again(clock, frontdesk, estate):
    desk = client_for(frontdesk)
    first = post_keyed(desk, "old-key", api_body())
    clock.shift(dt.timedelta(hours=23))
    post_keyed(desk, "young-key", api_body(summary="楼道灯不亮"))
    clock.shift(dt.timedelta(hours=1, seconds=1))

    assert forget_submission_keys() == 1
    assert forget_submission_keys() == 0
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["young-key"]
    again = post_keyed(desk, "old-key", api_body())
    assert again.status_code == 201 and again.json()["reference"] != first.json()["reference"]


# --- two sendings at once, on PostgreSQL ------------------------------------------------------


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@contextmanager
def counter_held(estate) -> Iterator[None]:
    """The estate-day reference counter locked by a transaction of its own while the block
    runs: every intake stops there, after all it checks first, until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.select_for_update().get(estate=estate)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join(30)


def _both_at_once(estate, send: Callable[[], object]) -> list:
    """Two sendings that have both passed every check before either writes."""
    results: list = []

    def run() -> None:
        try:
            results.append(send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with counter_held(estate):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_locks() == 2, "the two sendings never met at the counter"
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_form_sendings_at_once_log_one_complaint(frontdesk, estate, unit):
    earlier = log_complaint(frontdesk, estate=estate)  # the day's counter row, to hold
    browser = signed_in(frontdesk)
    data = intake_data(unit) | {"submission": form_token(browser.get("/complaints/new/"))}

    def send():
        client = Client()
        client.force_login(frontdesk)
        response = client.post("/complaints/new/", data)
        return response.status_code, response.headers.get("Location")

    results = _both_at_once(estate, send)

    [complaint] = Complaint.objects.exclude(pk=earlier.pk)
    shown = f"/complaints/{complaint.reference}/?created=1"
    assert results == [(302, shown), (302, shown)]
    assert SubmissionKey.objects.get().complaint == complaint
    assert ReferenceCounter.objects.get().last == 2  # the loser's number was rolled back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_api_sendings_at_once_log_one_complaint_and_answer_alike(frontdesk, estate):
    log_complaint(frontdesk, estate=estate)

    def send():
        response = post_keyed(client_for(frontdesk), "race-key", api_body(summary="并发"))
        return response.status_code, response.json()

    results = _both_at_once(estate, send)

    [(first_status, first_body), (second_status, second_body)] = results
    assert first_status == second_status == 201
    assert first_body == second_body
    assert Complaint.objects.filter(summary="并发").count() == 1
    assert first_body["reference"] == Complaint.objects.get(summary="并发").reference
