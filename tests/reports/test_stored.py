"""Finished weeks are stored, and computed again whenever a write reaches back into them."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from complaints.models import (
    Complaint,
    DeadlinePolicy,
)
from complaints.services.recompute import deadlines_recompute
from demo.seed import demo_seed
from reports import snapshots as storage
from reports.counting import weekly_figures
from reports.mailing import weekly_summaries_send
from reports.models import WeeklySummaryChange, WeeklySummarySnapshot
from reports.past_changes import ALL_OF_HISTORY
from reports.snapshots import weekly_report
from reports.summary import scope_estates
from residents.models import Building, Estate, Unit
from staff.models import StaffMember
from tests.factories import BuildingFactory, UnitFactory, make_staff
from tests.reports.helpers import (
    AFTER_THE_WEEK,
    WEDNESDAY,
    WEEK,
    act,
    explain_invalid,
    receive,
    shanghai,
    summary,
)

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
LATER = AFTER_THE_WEEK + HOUR  # a write after the week was first read
LATEST = AFTER_THE_WEEK + 2 * HOUR  # the read after that write


def report(reader=None, *, at=AFTER_THE_WEEK, week=WEEK, estate=None, fresh=False) -> dict:
    with time_machine.travel(at, tick=False):
        return weekly_report(reader=reader, week=week, estate=estate, fresh=fresh)


def figures_now(estate=None, *, at=LATEST, week=WEEK) -> dict:
    """What computing the week from scratch gives."""
    report = summary(estate=estate, week=week, now=at)
    del report["computed_at"]
    return report


def without_time(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "computed_at"}


def computed_at(report: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(report["computed_at"])


def test_a_finished_week_is_stored_at_its_first_read_and_read_from_storage_after(
    frontdesk, frontdesk_b, estate, other_estate, unit
):
    explain_invalid(receive(frontdesk, estate, WEDNESDAY, unit=unit), frontdesk, WEDNESDAY)
    receive(frontdesk_b, other_estate, WEDNESDAY, category="FEE-PROP")

    with CaptureQueriesContext(connection) as computing:
        first = report()
    with CaptureQueriesContext(connection) as reading:
        again = report(at=LATEST)

    stored = WeeklySummarySnapshot.objects.get()
    assert (stored.week, stored.scope) == ("2026-W47", f"{estate.pk},{other_estate.pk}")
    assert stored.computed_at == AFTER_THE_WEEK
    assert stored.ends_at == shanghai(2026, 11, 23, 0, 0)
    # The estates, the stored week (checked in the same query) and the category names.
    assert len(reading) == 3 < len(computing)
    assert again == first
    assert computed_at(again) == AFTER_THE_WEEK
    assert without_time(again) == figures_now()
    with time_machine.travel(LATEST, tick=False):
        fresh = weekly_figures(
            estates=(estates := scope_estates(None, None)),
            complaints=Complaint.objects.filter(estate__in=estates),
            week=WEEK,
            now=LATEST,
        )
    assert stored.payload == fresh
    assert again["total"]["received"] == 2 and again["total"]["invalid"] == 1


def test_each_set_of_estates_is_stored_apart(frontdesk, frontdesk_b, estate, other_estate):
    receive(frontdesk, estate, WEDNESDAY)
    receive(frontdesk_b, other_estate, WEDNESDAY)

    both, hy = report(), report(estate="HY")

    assert (both["total"]["received"], hy["total"]["received"]) == (2, 1)
    assert sorted(WeeklySummarySnapshot.objects.values_list("scope", flat=True)) == sorted(
        [f"{estate.pk},{other_estate.pk}", str(estate.pk)]
    )
    assert storage.scope_key(range(1, 100)).startswith("sha256:")


def test_the_current_week_is_never_stored(frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)
    friday = WEDNESDAY + dt.timedelta(days=2)

    assert report(at=friday)["total"]["received"] == 1
    # Nor in the first minutes after its end, while a lagging clock may still write into it.
    assert report(at=shanghai(2026, 11, 23, 0, 4))["total"]["received"] == 1
    assert not WeeklySummarySnapshot.objects.exists()
    assert computed_at(report(at=friday)) == friday


def test_a_back_dated_complaint_makes_the_stored_week_computed_again(frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)
    assert report()["total"]["received"] == 1

    receive(frontdesk, estate, LATER, received_at=WEDNESDAY, severity="urgent")

    again = report(at=LATEST)
    assert again["total"]["received"] == 2
    assert computed_at(again) == LATEST
    assert without_time(again) == figures_now()
    assert WeeklySummarySnapshot.objects.get().computed_at == LATEST


def test_a_back_dated_complaint_after_the_week_leaves_it_stored(frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)
    report()

    receive(frontdesk, estate, LATER, received_at=shanghai(2026, 11, 23, 9, 0))  # Monday of W48

    again = report(at=LATEST)
    assert computed_at(again) == AFTER_THE_WEEK
    assert again["total"]["received"] == 1
    assert WeeklySummaryChange.objects.exists()  # the complaint and its deadline, in W48


def test_a_back_dated_complaint_in_another_estate_leaves_this_one_stored(
    frontdesk, frontdesk_b, estate, other_estate
):
    receive(frontdesk, estate, WEDNESDAY)
    report(estate="HY")
    report()

    receive(frontdesk_b, other_estate, LATER, received_at=WEDNESDAY)

    assert computed_at(report(at=LATEST, estate="HY")) == AFTER_THE_WEEK
    both = report(at=LATEST)
    assert computed_at(both) == LATEST
    assert both["total"]["received"] == 2


def test_a_change_committed_while_the_week_was_computed_makes_it_stale(frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)
    just_before = AFTER_THE_WEEK - dt.timedelta(minutes=2)
    with time_machine.travel(just_before, tick=False):
        WeeklySummaryChange.objects.create(since=WEDNESDAY, estate=estate, recorded_at=just_before)

    report()

    assert computed_at(report(at=LATEST)) == LATEST  # computed again: it might have missed it
    assert computed_at(report(at=LATEST + HOUR)) == LATEST


def test_a_deadline_cancelled_after_it_fell_due_changes_overdue_at_end(frontdesk, estate):
    saturday = shanghai(2026, 11, 21, 10, 0)
    complaint = receive(frontdesk, estate, saturday, severity="urgent")
    act(saturday + dt.timedelta(minutes=5), complaint, frontdesk, "accept")
    act(saturday + HOUR, complaint, frontdesk, "log_callback", reached=True, note="已回电")
    # The resolution is due on Sunday 10:00; no sweep has marked it missed.
    assert report()["total"]["overdue_at_end"] == 1

    act(
        LATER,
        complaint,
        frontdesk,
        "close_as_explained",
        validity="valid",
        explanation="已解释",
    )

    again = report(at=LATEST)
    assert again["total"]["overdue_at_end"] == 0
    assert without_time(again) == figures_now()


def test_a_policy_change_that_moves_a_deadline_into_the_week_changes_overdue_at_end(
    frontdesk, estate
):
    complaint = receive(frontdesk, estate, WEDNESDAY, severity="major")
    act(WEDNESDAY + dt.timedelta(minutes=5), complaint, frontdesk, "accept")
    act(WEDNESDAY + HOUR, complaint, frontdesk, "log_callback", reached=True, note="已回电")
    # Resolution in 5 working days: due in the next week.
    assert report()["total"]["overdue_at_end"] == 0

    with time_machine.travel(LATER, tick=False):
        DeadlinePolicy.objects.filter(category=None, severity="major").update(
            resolution_working_days=1
        )
        moved = deadlines_recompute(
            complaints=Complaint.objects.filter(pk=complaint.pk),
            because={"policy_change": "changed", "category": "", "severity": "major"},
        )

    again = report(at=LATEST)
    assert moved == 1
    assert again["total"]["overdue_at_end"] == 1
    assert without_time(again) == figures_now()


def test_validity_judged_again_after_a_closing_changes_invalid(frontdesk, estate):
    complaint = explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, WEDNESDAY)
    assert report()["total"]["invalid"] == 1
    # No action judges a closed complaint again today; should one ever do so, the complaint
    # is back in clarification with its old validity when it is judged.
    Complaint.objects.filter(pk=complaint.pk).update(stage="clarification", closed_at=None)

    act(
        LATER,
        complaint,
        frontdesk,
        "close_as_explained",
        validity="valid",
        explanation="复核：属物业责任",
    )

    again = report(at=LATEST)
    assert again["total"]["invalid"] == 0
    assert without_time(again) == figures_now()


def test_a_renamed_building_is_shown_under_its_new_name(frontdesk, estate, unit):
    receive(frontdesk, estate, WEDNESDAY, unit=unit)
    assert [b["label"] for b in report()["top_buildings"]] == ["3号楼"]

    with time_machine.travel(LATER, tick=False):
        building = Building.objects.get(pk=unit.building_id)
        building.name = "三号楼"
        building.save()

    again = report(at=LATEST)
    assert [b["label"] for b in again["top_buildings"]] == ["三号楼"]
    assert WeeklySummaryChange.objects.get().since == ALL_OF_HISTORY


def test_a_unit_moved_to_another_building_counts_there(frontdesk, estate, unit):
    receive(frontdesk, estate, WEDNESDAY, unit=unit)
    report()
    other = BuildingFactory(estate=estate, name="5号楼")
    UnitFactory(building=other)  # a new unit changes nothing
    assert not WeeklySummaryChange.objects.exists()

    with time_machine.travel(LATER, tick=False):
        moved = Unit.objects.get(pk=unit.pk)
        moved.building = other
        moved.save()

    assert [b["label"] for b in report(at=LATEST)["top_buildings"]] == ["5号楼"]


def test_an_estate_moved_to_another_time_zone_has_other_weeks(frontdesk, estate):
    receive(frontdesk, estate, shanghai(2026, 11, 16, 7, 30))  # Sunday 23:30 in London
    receive(frontdesk, estate, WEDNESDAY)
    assert report()["total"]["received"] == 2

    with time_machine.travel(LATER, tick=False):
        moved = Estate.objects.get(pk=estate.pk)
        moved.time_zone = "Europe/London"
        moved.save()

    again = report(at=LATEST)
    assert again["total"]["received"] == 1
    assert again["time_zones"][0]["time_zone"] == "Europe/London"
    assert without_time(again) == figures_now()


def test_an_unchanged_save_of_the_configuration_changes_nothing(frontdesk, estate, unit):
    receive(frontdesk, estate, WEDNESDAY, unit=unit)
    report()

    with time_machine.travel(LATER, tick=False):
        Estate.objects.get(pk=estate.pk).save()
        Building.objects.get(pk=unit.building_id).save()
        Unit.objects.get(pk=unit.pk).save()

    assert not WeeklySummaryChange.objects.exists()
    assert computed_at(report(at=LATEST)) == AFTER_THE_WEEK


def test_demo_data_added_into_the_past_is_counted():
    now = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)  # Friday of W48
    with time_machine.travel(now, tick=False):
        demo_seed(complaints=60, seed=7)
    before = report(at=now + HOUR)

    with time_machine.travel(now + 2 * HOUR, tick=False):
        demo_seed(complaints=60, seed=8, add=True)

    after = report(at=now + 3 * HOUR)
    assert after["total"]["received"] > before["total"]["received"]
    assert without_time(after) == figures_now(at=now + 3 * HOUR)


def test_a_demo_world_made_now_needs_no_change_recorded():
    # Nothing of its estates can have been stored before it began, so its weeks can be stored
    # (and read back) as soon as it is there; an added batch records the change above.
    now = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        demo_seed(complaints=60, seed=7)

    assert not WeeklySummaryChange.objects.exists()
    report(at=now + HOUR)
    with CaptureQueriesContext(connection) as reading:
        report(at=now + 2 * HOUR)
    assert len(reading) <= 6


def test_the_command_reads_the_stored_week_unless_told_fresh(frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)

    def command(*options) -> dict:
        out = io.StringIO()
        with time_machine.travel(LATEST, tick=False):
            call_command("weekly_summary", "--week=2026-W47", "--format=json", *options, stdout=out)
        return json.loads(out.getvalue())

    assert command()["total"]["received"] == 1
    # A write that bypasses the services (and so records nothing) is seen only when asked.
    Complaint.objects.update(received_at=WEDNESDAY + dt.timedelta(weeks=1))

    assert command()["total"]["received"] == 1
    assert command("--fresh")["total"]["received"] == 0
    assert command()["total"]["received"] == 0


def test_the_stored_week_reads_in_each_language(client, manager, frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)
    client.force_login(manager)

    def page(language: str):
        StaffMember.objects.filter(user=manager).update(language=language)
        with time_machine.travel(AFTER_THE_WEEK, tick=False):
            return client.get("/reports/weekly/?week=2026-W47")

    english, chinese = page("en"), page("zh-hans")

    rows = {
        language: {row["code"]: row["name"] for row in response.context["report"]["categories"]}
        for language, response in (("en", english), ("zh", chinese))
    }
    assert (rows["en"]["FAC"], rows["zh"]["FAC"]) == ("Facilities and equipment", "设施设备")
    assert WeeklySummarySnapshot.objects.count() == 1
    assert "Figures as of" in english.content.decode()
    assert "数据截至" in chinese.content.decode()


def test_the_api_and_the_command_give_the_stored_week_unchanged(api, admin_user, frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY, category="QUAL-LEAK")
    out = io.StringIO()
    with time_machine.travel(AFTER_THE_WEEK, tick=False), translation.override("en"):
        call_command("weekly_summary", "--week=2026-W47", "--format=json", stdout=out)
    with time_machine.travel(LATEST, tick=False):
        from_api = (
            api.as_user(admin_user)
            .get("/api/v1/reports/weekly/?week=2026-W47", HTTP_ACCEPT_LANGUAGE="en")
            .json()
        )

    assert json.loads(out.getvalue()) == from_api
    assert from_api["computed_at"] == "2026-11-25T02:00:00+00:00"
    with translation.override("en"):
        assert without_time(from_api) == figures_now()


def test_the_monday_task_leaves_the_week_just_ended_stored(frontdesk, estate, other_estate):
    manager = make_staff("jingli", role="manager", estates=[estate, other_estate])
    manager.email = "jingli@example.com"
    manager.save()
    receive(frontdesk, estate, WEDNESDAY)
    monday = shanghai(2026, 11, 23, 1, 0)

    with time_machine.travel(monday, tick=False):
        assert weekly_summaries_send() == []  # the email waits for 08:00

    scopes = {f"{estate.pk},{other_estate.pk}", str(estate.pk), str(other_estate.pk)}
    assert set(WeeklySummarySnapshot.objects.values_list("scope", flat=True)) == scopes
    assert set(WeeklySummarySnapshot.objects.values_list("week", flat=True)) == {"2026-W47"}
    with CaptureQueriesContext(connection) as reading:
        at_eight = report(manager, at=shanghai(2026, 11, 23, 8, 0))
    assert computed_at(at_eight) == monday
    assert at_eight["total"]["received"] == 1
    assert len(reading) <= 6


def test_old_stored_weeks_and_the_changes_no_one_needs_are_pruned(frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)
    report()
    receive(frontdesk, estate, LATER, received_at=WEDNESDAY)
    # The complaint's received time (its deadlines, already due, are later).
    assert WeeklySummaryChange.objects.count() == 1

    with time_machine.travel(LATEST, tick=False):
        assert storage.weekly_snapshots_prune() == (0, 0)
    weeks_later = AFTER_THE_WEEK + storage.KEEP + HOUR
    with time_machine.travel(weeks_later, tick=False):
        assert storage.weekly_snapshots_prune() == (1, 1)
    assert not WeeklySummarySnapshot.objects.exists()
    assert report(at=weeks_later)["total"]["received"] == 2


def test_a_handler_reads_the_week_live(handler, frontdesk, estate):
    receive(frontdesk, estate, WEDNESDAY)

    assert report(handler)["total"]["received"] == 0  # nothing handed to their department
    assert not WeeklySummarySnapshot.objects.exists()
