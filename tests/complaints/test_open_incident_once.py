"""An incident sent twice is opened once: the incident form's one-time token, the API's
Idempotency-Key on POST /api/v1/incidents/, and two sendings racing each other on PostgreSQL.
One incident means one broadcast: each resident hears of it once."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import pytest
import yaml
from django.db import connection, transaction
from django.test import Client

from complaints.models import Incident, IncidentEvent, SubmissionKey
from notifications.models import Notification
from residents.models import Estate
from tests.complaints.api_helpers import client_for, office_clock
from tests.complaints.page_helpers import signed_in, text
from tests.complaints.test_pages_incidents import messages_of
from tests.factories import ResidentFactory, log_complaint, make_staff

ALREADY_OPENED = (
    "Incident {reference} was already opened: the form was sent twice and opened it once."
)
TOKEN_REFUSED = "This form is over a day old or was altered: check it and save it again."
KEY_REUSED = (
    "This Idempotency-Key was used with another body. Send the same body to get the first "
    "answer again, or use a new key for a new incident."
)
URL = "/api/v1/incidents/"


@pytest.fixture
def clock():
    with office_clock() as traveller:
        yield traveller


@pytest.fixture
def residents(unit):
    """Two households' phones in the covered building: each is told once per broadcast."""
    return [ResidentFactory(phone=f"1390000000{n}", units=[unit]) for n in (1, 2)]


def form_token(response) -> str:
    match = re.search(r'name="submission" value="([^"]+)"', text(response))
    assert match, "the incident form carries no token"
    return match.group(1)


def form_body(unit, **changes) -> dict:
    return {
        "estate": "HY",
        "buildings": [unit.building_id],
        "category": "FAC-UTIL",
        "title": "3号楼停电",
        "notice": "配电房检修，预计下午恢复。",
        **changes,
    }


def api_body(unit, **changes) -> dict:
    return form_body(unit, **changes)


def post_keyed(client, key: str, body: dict):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def opened_broadcast() -> list[str]:
    return sorted(
        Notification.objects.filter(kind="incident_opened").values_list("address", flat=True)
    )


# --- the incident form ----------------------------------------------------------------------


@pytest.mark.django_db
def test_each_incident_form_carries_a_token_of_its_own(clock, supervisor, unit):
    browser = signed_in(supervisor)

    first, second = (form_token(browser.get("/incidents/new/")) for _ in range(2))

    assert first != second


@pytest.mark.django_db
def test_a_form_sent_twice_opens_one_incident_and_tells_each_resident_once(
    clock, supervisor, unit, residents
):
    browser = signed_in(supervisor)
    data = form_body(unit, submission=form_token(browser.get("/incidents/new/")))

    first = browser.post("/incidents/new/", data)
    second = browser.post("/incidents/new/", data, follow=True)

    incident = Incident.objects.get()
    shown = f"/incidents/{incident.pk}/"
    assert first.status_code == 302 and first.headers["Location"] == shown
    assert second.redirect_chain == [(shown, 302)]
    # The first answer's message was not read (a second click does not wait for it).
    assert messages_of(text(second)) == [
        f"Incident {incident.reference} opened.",
        ALREADY_OPENED.format(reference=incident.reference),
    ]
    assert incident.reference in text(second)
    assert IncidentEvent.objects.filter(kind="opened").count() == 1
    assert opened_broadcast() == ["8613900000001", "8613900000002"]
    assert SubmissionKey.objects.get().incident == incident


@pytest.mark.django_db
def test_a_form_sent_twice_from_a_complaint_opens_and_links_once(
    clock, supervisor, frontdesk, unit
):
    complaint = log_complaint(frontdesk, estate=unit.building.estate, unit=unit)
    browser = signed_in(supervisor)
    token = form_token(browser.get(f"/incidents/new/?from={complaint.reference}"))
    data = form_body(unit, source=complaint.reference, submission=token)

    first = browser.post("/incidents/new/", data)
    second = browser.post("/incidents/new/", data)

    incident = Incident.objects.get()
    assert first.headers["Location"] == second.headers["Location"] == f"/incidents/{incident.pk}/"
    assert complaint.events.filter(kind="link_incident").count() == 1


@pytest.mark.django_db
def test_a_form_sent_back_keeps_its_token_and_opens_once_when_corrected(clock, supervisor, unit):
    browser = signed_in(supervisor)
    token = form_token(browser.get("/incidents/new/"))

    refused = browser.post("/incidents/new/", form_body(unit, title="", submission=token))
    corrected = browser.post("/incidents/new/", form_body(unit, submission=token))
    again = browser.post("/incidents/new/", form_body(unit, submission=token))

    assert refused.status_code == 400 and form_token(refused) == token
    assert corrected.status_code == again.status_code == 302
    assert corrected.headers["Location"] == again.headers["Location"]
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_another_users_token_or_an_intake_token_is_refused_and_opens_nothing(
    clock, supervisor, manager, unit
):
    theirs = form_token(signed_in(manager).get("/incidents/new/"))
    browser = signed_in(supervisor)
    intake = form_token(browser.get("/complaints/new/"))

    for token in (theirs, intake):
        response = browser.post("/incidents/new/", form_body(unit, submission=token))

        assert response.status_code == 400
        assert f'data-testid="submission-error">{TOKEN_REFUSED}' in text(response)
        assert form_token(response) not in (theirs, intake)
    assert not Incident.objects.exists() and not SubmissionKey.objects.exists()


@pytest.mark.django_db
def test_a_token_does_not_let_the_front_desk_open(clock, supervisor, frontdesk, unit):
    browser = signed_in(frontdesk)
    token = form_token(signed_in(supervisor).get("/incidents/new/"))

    assert browser.post("/incidents/new/", form_body(unit, submission=token)).status_code == 403
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_a_form_without_a_token_opens_each_time(clock, supervisor, unit):
    browser = signed_in(supervisor)

    for _ in range(2):
        assert browser.post("/incidents/new/", form_body(unit)).status_code == 302

    assert Incident.objects.count() == 2


# --- the API's Idempotency-Key --------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_and_body_answer_the_first_answer_and_open_nothing(
    clock, supervisor, unit, residents
):
    desk = client_for(supervisor)

    first = post_keyed(desk, "incident-1", api_body(unit))
    second = post_keyed(desk, "incident-1", api_body(unit))

    incident = Incident.objects.get()
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.json()["reference"] == incident.reference
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert opened_broadcast() == ["8613900000001", "8613900000002"]


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(clock, supervisor, unit):
    desk = client_for(supervisor)
    post_keyed(desk, "incident-1", api_body(unit))

    response = post_keyed(desk, "incident-1", api_body(unit, title="3号楼停水"))

    assert response.status_code == 422
    assert response.json()["detail"] == KEY_REUSED
    assert list(Incident.objects.values_list("title", flat=True)) == ["3号楼停电"]


@pytest.mark.django_db
def test_a_key_is_the_users_and_the_endpoints_own(clock, supervisor, manager, unit):
    post_keyed(client_for(supervisor), "shared", api_body(unit))

    theirs = post_keyed(client_for(manager), "shared", api_body(unit))
    complaint = client_for(supervisor).post(
        "/api/v1/complaints/",
        {
            "estate": "HY",
            "channel": "phone",
            "category": "FAC-UTIL",
            "summary": "停电",
            "account": "3号楼停电了。",
            "contact_name": "王芳",
            "contact_phone": "13812345678",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="shared",
    )

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert complaint.status_code == 201 and "Idempotent-Replayed" not in complaint.headers
    assert Incident.objects.count() == 2
    assert SubmissionKey.objects.count() == 3


@pytest.mark.django_db
def test_a_malformed_key_is_400_and_opens_nothing(clock, supervisor, unit):
    response = post_keyed(client_for(supervisor), "with space", api_body(unit))

    assert response.status_code == 400
    assert response.json()["Idempotency-Key"] == [
        "Give 1 to 255 printable ASCII characters, without spaces."
    ]
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_a_refused_request_does_not_take_the_key(clock, supervisor, frontdesk, unit):
    forbidden = post_keyed(client_for(frontdesk), "incident-1", api_body(unit))
    refused = post_keyed(client_for(supervisor), "incident-1", api_body(unit, title=""))
    opened = post_keyed(client_for(supervisor), "incident-1", api_body(unit))

    assert forbidden.status_code == 403 and refused.status_code == 400
    assert opened.status_code == 201 and "Idempotent-Replayed" not in opened.headers
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_a_key_does_not_reach_another_estate(clock, other_estate, unit):
    supervisor_b = make_staff("supervisor_b", role="supervisor", estates=[other_estate])

    response = post_keyed(client_for(supervisor_b), "incident-1", api_body(unit))

    assert response.status_code == 400 and "estate" in response.json()
    assert not Incident.objects.exists() and not SubmissionKey.objects.exists()


@pytest.mark.django_db
def test_the_schema_documents_the_header_and_the_422(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    create = schema["paths"][URL]["post"]
    [header] = [p for p in create["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and not header.get("required")
    assert "opens nothing" in header["description"]
    assert "422" in create["responses"]
    assert "422" not in schema["paths"][URL]["get"]["responses"]


# --- two sendings at once, on PostgreSQL ------------------------------------------------------


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _both_at_once(estate: Estate, send: Callable[[], object]) -> list:
    """Two sendings that have both passed every check before either writes: the estate's row,
    which opening an incident locks, is held until both wait for it."""
    locked, release = threading.Event(), threading.Event()
    results: list = []

    def hold() -> None:
        try:
            with transaction.atomic():
                Estate.objects.select_for_update().get(pk=estate.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def run() -> None:
        try:
            results.append(send())
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    threads = [threading.Thread(target=run) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_locks() == 2, "the two sendings never met at the estate"
    finally:
        release.set()
        holder.join(30)
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_form_sendings_at_once_open_one_incident(supervisor, estate, unit, residents):
    token = form_token(signed_in(supervisor).get("/incidents/new/"))
    data = form_body(unit, submission=token)

    def send():
        client = Client()
        client.force_login(supervisor)
        response = client.post("/incidents/new/", data)
        return response.status_code, response.headers.get("Location")

    results = _both_at_once(estate, send)

    incident = Incident.objects.get()
    shown = f"/incidents/{incident.pk}/"
    assert results == [(302, shown), (302, shown)]
    assert SubmissionKey.objects.get().incident == incident
    assert opened_broadcast() == ["8613900000001", "8613900000002"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_api_sendings_at_once_open_one_incident_and_answer_alike(
    supervisor, estate, unit, residents
):
    def send():
        response = post_keyed(client_for(supervisor), "race-key", api_body(unit))
        return response.status_code, response.json()

    results = _both_at_once(estate, send)

    [(first_status, first_body), (second_status, second_body)] = results
    assert first_status == second_status == 201
    assert first_body == second_body
    assert first_body["reference"] == Incident.objects.get().reference
    assert opened_broadcast() == ["8613900000001", "8613900000002"]
