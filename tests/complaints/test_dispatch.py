"""Dispatch (派单) and take-over (接单): the department is told, one of its people takes it on,
assignments stay inside the department, and nobody is told about what they cannot open."""

import datetime as dt

import pytest
import time_machine

from complaints.models import Complaint, Escalation
from notifications.models import Notification
from notifications.sending import WITHHELD, notifications_send
from staff.models import StaffMember
from tests.complaints.api_helpers import act, client_for
from tests.complaints.helpers import TUESDAY_10, sweeps_at_once, valid_data
from tests.complaints.page_helpers import signed_in, text
from tests.factories import log_complaint, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def engineers(estate, other_estate, handler):
    """The engineering department: two handlers of the estate (one reading English, one with
    a phone), and one who covers only the other estate."""
    second = make_staff("handler2", role="handler", department="ENG", estates=[estate])
    StaffMember.objects.filter(user=second).update(language="en", phone="13900000002")
    elsewhere = make_staff("handler_b", role="handler", department="ENG", estates=[other_estate])
    return handler, second, elsewhere


def _clarifying(frontdesk, estate, **fields) -> Complaint:
    complaint = log_complaint(frontdesk, estate=estate, **fields)
    assert act(client_for(frontdesk), complaint.reference, "accept").status_code == 200
    return complaint


def _plan(frontdesk, complaint, department="ENG"):
    body = {**valid_data("plan_resolution"), "department": department}
    body["callback_due_at"] = body["callback_due_at"].isoformat()
    return act(client_for(frontdesk), complaint.reference, "plan_resolution", body)


def _dispatched(complaint):
    return Notification.objects.filter(complaint=complaint, kind="dispatch").order_by("id")


def test_handing_to_a_department_tells_each_of_its_people_who_cover_the_estate(
    clock, frontdesk, estate, engineers
):
    handler, second, _elsewhere = engineers
    complaint = _clarifying(frontdesk, estate)

    response = _plan(frontdesk, complaint)

    assert response.status_code == 200
    rows = list(_dispatched(complaint))
    assert {(row.recipient, row.channel) for row in rows} == {
        (handler, "email"),
        (second, "email"),
    }
    chinese = next(row for row in rows if row.recipient == handler)
    english = next(row for row in rows if row.recipient == second)
    assert chinese.subject.startswith(f"【待接单】 {complaint.reference}")
    assert "此投诉已派给工程部，请接单。" in chinese.body
    assert english.subject.startswith(f"[To take over] {complaint.reference}")
    assert f"/complaints/{complaint.reference}/" in english.body
    # Told at once, not at the next opening.
    assert {row.not_before for row in rows} == {TUESDAY_10}
    # The take-over clock runs: normal, 120 business minutes.
    body = response.json()
    [take_over] = [d for d in body["deadlines"] if d["kind"] == "take_over"]
    assert take_over["state"] == "pending"
    assert dt.datetime.fromisoformat(take_over["due_at"]) == TUESDAY_10 + dt.timedelta(hours=2)


def test_an_urgent_hand_over_is_also_texted_to_those_with_a_phone(
    clock, frontdesk, estate, engineers
):
    _, second, _ = engineers
    complaint = _clarifying(frontdesk, estate, severity="urgent")

    _plan(frontdesk, complaint)

    [sms] = _dispatched(complaint).filter(channel="sms")
    assert (sms.recipient, sms.address) == (second, "13900000002")
    assert sms.body.startswith(f"[Urgent] {complaint.reference} handed to you")


def test_one_handler_takes_it_and_another_is_refused(clock, frontdesk, estate, engineers):
    handler, second, _ = engineers
    complaint = _clarifying(frontdesk, estate)
    _plan(frontdesk, complaint)
    clock.shift(dt.timedelta(minutes=20))

    taken = act(client_for(handler), complaint.reference, "take")
    again = act(client_for(second), complaint.reference, "take")

    assert taken.status_code == 200
    assert taken.json()["assignee"] == "handler"
    [take_over] = [d for d in taken.json()["deadlines"] if d["kind"] == "take_over"]
    assert take_over["state"] == "met"
    assert again.status_code == 409
    assert again.json()["detail"] == "handler has taken it on already."
    assert (
        "take"
        not in act(client_for(second), complaint.reference, "add_note", {"text": "x"}).json()[
            "actions"
        ]
    )


def test_a_handler_of_another_department_cannot_take_it(clock, frontdesk, estate, engineers):
    complaint = _clarifying(frontdesk, estate)
    _plan(frontdesk, complaint)
    finance = make_staff("accountant", role="handler", department="FIN", estates=[estate])

    response = act(client_for(finance), complaint.reference, "take")

    assert response.status_code == 404  # it is not theirs to see
    assert Complaint.objects.get(pk=complaint.pk).assignee is None


def test_assigning_someone_outside_the_department_is_refused_and_tells_nobody(
    clock, frontdesk, supervisor, estate, engineers
):
    handler, _, _ = engineers
    complaint = _clarifying(frontdesk, estate)
    _plan(frontdesk, complaint, department="FIN")
    before = Notification.objects.count()
    version = Complaint.objects.get(pk=complaint.pk).version

    response = act(client_for(supervisor), complaint.reference, "assign", {"assignee": "handler"})

    assert response.status_code == 400
    assert response.json() == {
        "assignee": [
            "handler is in Engineering, not in Finance, which handles this complaint. Choose "
            "someone of Finance, or hand it to Engineering in the same step."
        ]
    }
    assert Notification.objects.count() == before
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.assignee, fresh.department.code, fresh.version) == (None, "FIN", version)
    # Handed to ENG in the same step, it is allowed; the person named is told, nobody else.
    moved = act(
        client_for(supervisor),
        complaint.reference,
        "assign",
        {"department": "ENG", "assignee": "handler"},
    )
    assert moved.status_code == 200
    assert [row.recipient for row in _dispatched(complaint).filter(channel="email")] == [handler]


def test_the_page_offers_only_the_departments_people_by_name(
    clock, frontdesk, supervisor, estate, engineers
):
    handler, _, _ = engineers
    handler.first_name, handler.last_name = "伟", "张"
    handler.save()
    complaint = _clarifying(frontdesk, estate)
    _plan(frontdesk, complaint)
    Escalation.objects.all().delete()
    act(client_for(frontdesk), complaint.reference, "escalate", {"reason": "unsatisfied"})

    # The queue card's acknowledge form, as it is fetched into the card.
    escalation = Escalation.objects.get()
    form = signed_in(supervisor).get(f"/escalations/{escalation.pk}/acknowledge/")
    options = text(form).split('name="assignee"')[1].split("</select>")[0]

    assert '<option value="handler">张伟 (Engineering)</option>' in options
    assert 'value="handler2"' in options
    assert 'value="frontdesk"' not in options and 'value="handler_b"' not in options
    assert (
        act(
            client_for(supervisor),
            complaint.reference,
            "add_note",
            {"text": "x"},
        ).status_code
        == 200
    )


def test_a_department_lead_assigns_within_the_department_only(clock, frontdesk, estate, engineers):
    handler, second, _ = engineers
    StaffMember.objects.filter(user=handler).update(lead=True)
    complaint = _clarifying(frontdesk, estate)
    _plan(frontdesk, complaint)

    by_member = act(client_for(second), complaint.reference, "assign", {"assignee": "handler"})
    by_lead = act(client_for(handler), complaint.reference, "assign", {"assignee": "handler2"})
    elsewhere = act(client_for(handler), complaint.reference, "assign", {"department": "FIN"})

    assert by_member.status_code == 403
    assert by_lead.status_code == 200 and by_lead.json()["assignee"] == "handler2"
    assert elsewhere.status_code == 403
    assert elsewhere.json()["detail"] == (
        "A department's lead assigns within the department; a supervisor hands it on."
    )


def test_a_message_to_someone_who_lost_access_is_not_sent(
    clock, frontdesk, supervisor, estate, engineers
):
    handler, second, _ = engineers
    complaint = _clarifying(frontdesk, estate)
    _plan(frontdesk, complaint)
    # Handed on to finance before the worker sent the engineers' messages.
    act(client_for(supervisor), complaint.reference, "assign", {"department": "FIN"})

    notifications_send(now=TUESDAY_10 + dt.timedelta(minutes=1))

    engineers_rows = _dispatched(complaint).filter(recipient__in=[handler, second])
    assert {(row.sent_at, row.last_error) for row in engineers_rows} == {(None, WITHHELD)}
    inbox = client_for(handler).get("/api/v1/notifications/").json()
    assert complaint.reference not in str(inbox)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_missed_take_over_escalates_once_with_two_sweeps_at_once(
    frontdesk, supervisor, estate, engineers
):
    with time_machine.travel(TUESDAY_10, tick=False):
        complaint = _clarifying(frontdesk, estate)
        _plan(frontdesk, complaint)
    due = complaint.deadlines.get(kind="take_over").due_at
    results = sweeps_at_once(due + dt.timedelta(minutes=1))

    escalated = [row for result in results for row in result.escalated]
    assert escalated == [(complaint.reference, "take_over", 1)]
    assert Escalation.objects.filter(deadline__kind="take_over").count() == 1
    with time_machine.travel(due + dt.timedelta(minutes=2), tick=False):
        queue = text(signed_in(supervisor).get("/escalations/"))
    assert "Not taken over" in queue
