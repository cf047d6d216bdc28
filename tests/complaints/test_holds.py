"""Holds end by themselves: the sweep releases each at its ``until``, exactly once."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from complaints.models import Complaint, ComplaintEvent, Deadline
from complaints.services.sweep import sweep_run
from tests.complaints.helpers import act, complaint_at, local, sweeps_at_once, valid_data
from tests.complaints.page_helpers import signed_in, text

pytestmark = pytest.mark.django_db

# A Tuesday, 10:00 in Shanghai: inside the default opening hours (09:00–18:00 weekdays).
TUESDAY_10 = local(2026, 3, 10, 10, 0)


def _held(*, supervisor, estate, minutes: int) -> tuple[Complaint, Deadline]:
    """A complaint in resolution, held from 10:00 for ``minutes``; its resolution deadline."""
    with time_machine.travel(TUESDAY_10, tick=False):
        complaint = complaint_at("resolution", actor=supervisor, estate=estate)
        resolution = complaint.deadlines.get(kind="resolution")
        complaint = act(
            complaint,
            supervisor,
            "hold",
            reason="等待厂家配件",
            until=TUESDAY_10 + dt.timedelta(minutes=minutes),
        )
    return complaint, resolution


def test_the_sweep_releases_a_hold_at_its_time_and_the_clock_runs_on(supervisor, estate):
    complaint, resolution = _held(supervisor=supervisor, estate=estate, minutes=2)

    early = sweep_run(now=TUESDAY_10 + dt.timedelta(minutes=1))
    assert early.released == []
    assert Complaint.objects.get(pk=complaint.pk).on_hold is True

    swept_at = TUESDAY_10 + dt.timedelta(minutes=3)
    result = sweep_run(now=swept_at)

    assert result.released == [complaint.reference]
    complaint.refresh_from_db()
    assert (complaint.on_hold, complaint.hold_until, complaint.hold_reason) == (False, None, "")
    assert complaint.version == 5  # logged, accepted, planned, held, released
    event = complaint.events.get(kind="released")
    assert (event.actor, event.at, event.note) == (None, swept_at, "等待厂家配件")
    assert list(event.data) == ["until"]
    assert dt.datetime.fromisoformat(event.data["until"]) == TUESDAY_10 + dt.timedelta(minutes=2)
    # The clock ran again from the hold's end: two business minutes later than planned,
    # and the deadline says why.
    deadline = Deadline.objects.get(pk=resolution.pk)
    assert deadline.state == "pending"
    assert deadline.due_at == resolution.due_at + dt.timedelta(minutes=2)
    [pause] = deadline.explanation["pauses"]
    assert dt.datetime.fromisoformat(pause["from"]) == TUESDAY_10
    assert dt.datetime.fromisoformat(pause["to"]) == TUESDAY_10 + dt.timedelta(minutes=2)
    assert pause["minutes"] == 2
    # Nothing more to release next minute.
    assert sweep_run(now=swept_at + dt.timedelta(minutes=1)).released == []
    assert complaint.events.filter(kind="released").count() == 1


def test_the_command_says_which_holds_it_ended(supervisor, estate, capsys):
    complaint, _ = _held(supervisor=supervisor, estate=estate, minutes=2)

    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=5), tick=False):
        call_command("sweep_deadlines")

    out = capsys.readouterr().out
    assert f"released {complaint.reference} (hold ended)" in out
    assert "holds released 1, incidents escalated 0." in out


def test_pages_say_until_when_it_is_held_and_the_timeline_says_it_ended(
    frontdesk, supervisor, estate
):
    complaint, _ = _held(supervisor=supervisor, estate=estate, minutes=90)
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=1), tick=False):
        act(complaint, frontdesk, "escalate", reason="unsatisfied", note="业主要求主管处理")
        detail = text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))
        queue = text(signed_in(supervisor).get("/escalations/"))
        chinese = text(signed_in(frontdesk, "zh-hans").get(f"/complaints/{complaint.reference}/"))

    assert 'data-testid="on-hold">on hold until 03/10/2026 11:30' in detail
    assert "on hold until 03/10/2026 11:30" in queue
    assert "暂停至 2026年3月10日 11:30" in chinese

    sweep_run(now=TUESDAY_10 + dt.timedelta(minutes=91))
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=92), tick=False):
        detail = text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))
    assert "Hold ended" in detail
    assert 'data-testid="on-hold"' not in detail


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_release_every_hold_exactly_once(supervisor, estate):
    held = [_held(supervisor=supervisor, estate=estate, minutes=2)[0] for _ in range(30)]
    results = sweeps_at_once(TUESDAY_10 + dt.timedelta(minutes=3))

    released = [reference for result in results for reference in result.released]
    assert sorted(released) == sorted(c.reference for c in held)
    assert ComplaintEvent.objects.filter(kind="released").count() == 30
    assert not Complaint.objects.filter(on_hold=True).exists()
    assert set(Complaint.objects.values_list("version", flat=True)) == {5}


def test_a_closed_complaint_never_reads_as_overdue(frontdesk, supervisor, estate):
    with time_machine.travel(TUESDAY_10, tick=False):
        complaint = complaint_at("resolution", actor=frontdesk, estate=estate)
    # Nobody called back at the agreed time (in four hours): the sweep marks it missed.
    sweep_run(now=TUESDAY_10 + dt.timedelta(hours=5))
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=6), tick=False):
        act(complaint, supervisor, "mark_resolved", **valid_data("mark_resolved"))
        act(complaint, frontdesk, "close", **valid_data("close"))
    assert complaint.deadlines.get(kind="agreed_callback").state == "missed"

    with time_machine.travel(TUESDAY_10 + dt.timedelta(days=46), tick=False):
        page = text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))
        chinese = text(signed_in(frontdesk, "zh-hans").get(f"/complaints/{complaint.reference}/"))

    table = page.split('data-testid="deadlines"')[1].split("</table>")[0]
    assert "missed" in table  # what happened stays on record
    assert "overdue" not in table and "desk-overdue" not in table
    assert "已超时 45" not in chinese and "已超时 46" not in chinese
