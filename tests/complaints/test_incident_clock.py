"""The building-wide incident's own clock (SPEC §9.3): its deadlines and escalations, once per
deadline; linked complaints keep their callbacks but no resolution deadline; the queue shows
the incident once with its count; a supervisor links and unlinks complaints."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.errors import ActionForbidden, ActionRefused
from complaints.models import (
    Complaint,
    Deadline,
    Escalation,
    IncidentDeadline,
    IncidentEscalation,
    Stage,
)
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from complaints.services.sweep import sweep_run
from notifications.models import Notification
from reports.models import WeeklySummaryChange
from tests.complaints.helpers import act, incident_row, local, sweeps_at_once, valid_data
from tests.complaints.page_helpers import signed_in
from tests.factories import UnitFactory, category, log_complaint, make_staff

pytestmark = pytest.mark.django_db

MORNING = local(2026, 3, 10, 10, 0)
MONTH_LATER = MORNING + dt.timedelta(days=30)


def water_cut(actor, estate, **fields):
    UnitFactory(building__estate=estate)  # something to cover
    values = {
        "estate": estate,
        "category": category("FAC-UTIL"),
        "title": "停水",
        "notice": "供水管道抢修，预计下午恢复供水。",
    }
    values.update(fields)
    with time_machine.travel(MORNING, tick=False):
        return incident_open(actor=actor, data=IncidentInput(**values))


def linked_call(actor, estate, incident, *, stage=Stage.RESOLUTION) -> Complaint:
    """A complaint linked at once, then walked to ``stage``."""
    with time_machine.travel(MORNING + dt.timedelta(minutes=5), tick=False):
        complaint = log_complaint(actor, estate=estate, category="FAC-UTIL")
        complaint = act(complaint, actor, "link_incident", incident=incident.pk)
        road = {Stage.CLARIFICATION: ["accept"], Stage.RESOLUTION: ["accept", "plan_resolution"]}
        for action in road.get(stage, []):
            complaint = act(complaint, actor, action, **valid_data(action))
    return complaint


def own_kinds(complaint, state="pending") -> list[str]:
    return sorted(complaint.deadlines.filter(state=state).values_list("kind", flat=True))


def test_an_incident_opens_with_its_own_acknowledge_and_resolution_deadlines(supervisor, estate):
    incident = water_cut(supervisor, estate)

    deadlines = {d.kind: d for d in IncidentDeadline.objects.filter(incident=incident)}
    assert sorted(deadlines) == ["acknowledge", "resolution"]
    assert all(d.state == "pending" and d.starts_at == MORNING for d in deadlines.values())
    assert MORNING < deadlines["acknowledge"].due_at < deadlines["resolution"].due_at
    assert deadlines["resolution"].explanation["calendar"]
    assert dt.datetime.fromisoformat(deadlines["resolution"].explanation["started_at"]) == MORNING


def test_the_first_update_acknowledges_it_resolving_meets_both_and_closing_stops_them(
    supervisor, estate
):
    incident = water_cut(supervisor, estate)
    at = MORNING + dt.timedelta(minutes=10)
    with time_machine.travel(at, tick=False):
        incident_act(
            incident_id=incident.pk, actor=supervisor, action="update", data={"notice": "已到场"}
        )
    states = dict(incident.deadlines.values_list("kind", "state"))
    assert states == {"acknowledge": "met", "resolution": "pending"}
    assert incident.deadlines.get(kind="acknowledge").met_at == at

    with time_machine.travel(at + dt.timedelta(hours=1), tick=False):
        incident_act(
            incident_id=incident.pk,
            actor=supervisor,
            action="resolve",
            data={"outcome": "已恢复供水", "liability": "utility"},
        )
    assert dict(incident.deadlines.values_list("kind", "state")) == {
        "acknowledge": "met",
        "resolution": "met",
    }


def test_a_linked_complaint_keeps_its_callbacks_but_has_no_resolution_deadline(supervisor, estate):
    incident = water_cut(supervisor, estate)

    complaint = linked_call(supervisor, estate, incident, stage=Stage.CLARIFICATION)

    assert complaint.incident_id == incident.pk
    assert own_kinds(complaint) == ["first_callback"]
    assert own_kinds(complaint, "met") == ["acknowledge"]
    assert not complaint.deadlines.filter(kind="resolution").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_the_incident_once_and_no_linked_complaint(
    supervisor, manager, estate
):
    incident = water_cut(supervisor, estate)
    calls = [linked_call(supervisor, estate, incident) for _ in range(5)]
    for complaint in calls:
        with time_machine.travel(MORNING + dt.timedelta(minutes=30), tick=False):
            act(complaint, supervisor, "log_callback", reached=True, note="已告知")
    Deadline.objects.filter(complaint__in=calls).update(state="met", met_at=MORNING)

    results = sweeps_at_once(MONTH_LATER)

    raised = sorted(r for result in results for r in result.incidents_escalated)
    assert raised == [(incident.reference, "acknowledge", 1), (incident.reference, "resolution", 2)]
    assert IncidentEscalation.objects.filter(incident=incident).count() == 2
    assert not Escalation.objects.filter(complaint__in=calls).exists()
    assert set(incident.deadlines.values_list("state", flat=True)) == {"missed"}
    mails = Notification.objects.filter(incident=incident, kind="incident_escalation")
    assert sorted(mails.values_list("recipient__username", flat=True)) == ["manager", "supervisor"]
    assert all(m.complaint_id is None for m in mails)
    assert "停水" in mails.first().subject
    # A third sweep later finds nothing left to raise.
    assert sweep_run(now=MONTH_LATER + dt.timedelta(hours=1)).incidents_escalated == []


def test_the_queue_shows_the_incident_once_with_its_linked_complaints(supervisor, estate):
    incident = water_cut(supervisor, estate)
    for _ in range(3):
        linked_call(supervisor, estate, incident)
    sweep_run(now=MONTH_LATER)
    browser = signed_in(supervisor)

    with time_machine.travel(MONTH_LATER, tick=False):
        page = browser.get("/escalations/").content.decode()

    assert page.count('data-testid="incident-escalation"') == 1
    assert page.count(incident.reference) == 1
    assert f'href="/incidents/{incident.pk}/">{incident.reference}</a>' in page
    assert "3 linked complaints" in page
    assert "Level 2" in page

    with time_machine.travel(MONTH_LATER, tick=False):
        answer = browser.post(
            f"/escalations/incidents/{incident.pk}/acknowledge/", {"note": "已督促供水公司"}
        )
        assert answer.status_code == 302
        after = browser.get("/escalations/").content.decode()
    assert 'data-testid="incident-escalation"' not in after
    assert set(incident.escalations.values_list("acknowledged_by", flat=True)) == {supervisor.pk}
    with pytest.raises(ActionRefused, match="Nothing of this incident is waiting"):
        incident_act(incident_id=incident.pk, actor=supervisor, action="acknowledge", data={})


def test_another_estates_supervisor_sees_no_incident_in_the_queue(supervisor, estate, other_estate):
    incident = water_cut(supervisor, estate)
    sweep_run(now=MONTH_LATER)
    stranger = make_staff("sup_b", role="supervisor", estates=[other_estate])
    browser = signed_in(stranger)

    page = browser.get("/escalations/").content.decode()
    refused = browser.post(f"/escalations/incidents/{incident.pk}/acknowledge/", {})

    assert incident.reference not in page
    assert refused.status_code == 404
    assert incident.escalations.filter(acknowledged_at__isnull=True).count() == 2


def test_linking_stops_the_complaints_resolution_clock_and_unlinking_starts_it_again(
    supervisor, estate
):
    incident = water_cut(supervisor, estate)
    with time_machine.travel(MORNING, tick=False):
        complaint = log_complaint(supervisor, estate=estate, category="FAC-UTIL")
        complaint = act(complaint, supervisor, "accept")
    assert own_kinds(complaint) == ["first_callback", "resolution"]

    at = MORNING + dt.timedelta(hours=1)
    with time_machine.travel(at, tick=False):
        complaint = act(complaint, supervisor, "link_incident", incident=incident.pk)
    assert own_kinds(complaint) == ["first_callback"]
    assert own_kinds(complaint, "cancelled") == ["resolution"]
    event = complaint.events.get(kind="link_incident")
    assert event.data == {"incident": {"before": None, "after": incident.reference}}

    later = at + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        complaint = act(complaint, supervisor, "link_incident", incident=None, note="并非停水")
    assert complaint.incident_id is None
    assert own_kinds(complaint) == ["first_callback", "resolution"]
    assert complaint.deadlines.get(kind="resolution", state="pending").starts_at == later
    last = complaint.events.filter(kind="link_incident").last()
    assert last.note == "并非停水"
    assert last.data == {"incident": {"before": incident.reference, "after": None}}


def test_bad_links_are_refused_and_change_nothing(supervisor, frontdesk, estate, other_estate):
    theirs = incident_row(other_estate, supervisor)
    closed = incident_row(estate, supervisor, stage="closed", closed_at=MORNING)
    ours = incident_row(estate, supervisor)
    with time_machine.travel(MORNING, tick=False):
        complaint = log_complaint(frontdesk, estate=estate)
    cases = [
        (theirs.pk, "That incident is in another estate."),
        (closed.pk, "That incident is no longer open."),
        (999999, "No incident with the number 999999."),
        ("GG-1", "Give an incident's number, or nothing to unlink."),
        (None, "The complaint is not linked to an incident."),
    ]
    for value, message in cases:
        with pytest.raises(ValidationError) as refused:
            act(complaint, supervisor, "link_incident", incident=value)
        assert refused.value.message_dict == {"incident": [message]}
    with pytest.raises(ActionForbidden):
        act(complaint, frontdesk, "link_incident", incident=ours.pk)

    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.incident_id, fresh.version) == (None, complaint.version)
    assert not fresh.events.filter(kind="link_incident").exists()


def test_linking_a_complaint_of_a_past_week_marks_that_week_for_recounting(supervisor, estate):
    incident = water_cut(supervisor, estate)
    with time_machine.travel(MORNING - dt.timedelta(days=20), tick=False):
        complaint = log_complaint(supervisor, estate=estate)
    WeeklySummaryChange.objects.all().delete()

    with time_machine.travel(MORNING, tick=False):
        act(complaint, supervisor, "link_incident", incident=incident.pk)

    change = WeeklySummaryChange.objects.get()
    assert (change.since, change.estate_id) == (complaint.received_at, estate.pk)


def test_resolving_moves_every_linked_complaint_in_a_constant_number_of_queries(supervisor, estate):
    def resolve_with(count: int) -> int:
        incident = water_cut(supervisor, estate, title=f"停水{count}")
        calls = [linked_call(supervisor, estate, incident) for _ in range(count)]
        calls[0] = act(calls[0], supervisor, "hold", **valid_data("hold"))
        with (
            time_machine.travel(MORNING + dt.timedelta(hours=2), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            incident_act(
                incident_id=incident.pk,
                actor=supervisor,
                action="resolve",
                data={"outcome": "已恢复供水", "cause": "主管爆裂", "liability": "utility"},
            )
        moved = Complaint.objects.filter(incident=incident)
        assert [c.stage for c in moved] == [Stage.FOLLOW_UP] * count
        assert not moved.filter(on_hold=True).exists()
        assert Deadline.objects.filter(
            complaint__in=moved, kind="follow_up", state="pending"
        ).count() == (count)
        events = [c.events.get(kind="incident_resolved") for c in moved]
        assert {(e.from_stage, e.to_stage, e.note) for e in events} == {
            (Stage.RESOLUTION, Stage.FOLLOW_UP, "已恢复供水")
        }
        assert {e.data["incident"] for e in events} == {incident.reference}
        return len(queries)

    # A hold ends with a few queries of its own; the rest does not grow with the count.
    assert resolve_with(3) == resolve_with(8)
