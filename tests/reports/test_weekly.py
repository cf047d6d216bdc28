"""The figures of the weekly summary, one by one, on complaints placed in time by the services."""

import datetime as dt

import pytest

from reports.iso_weeks import IsoWeek
from tests.reports.helpers import (
    WEDNESDAY,
    WEEK,
    act,
    category_row,
    close,
    explain_invalid,
    rate,
    receive,
    resolve,
    shanghai,
    summary,
    total,
)

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
NEXT_WEDNESDAY = WEDNESDAY + dt.timedelta(weeks=1)
LAST_WEDNESDAY = WEDNESDAY - dt.timedelta(weeks=1)


def test_received_counts_the_seconds_around_midnight_on_the_estates_clock(frontdesk, estate):
    receive(frontdesk, estate, shanghai(2026, 11, 15, 23, 59, 30))  # Sunday of W46
    receive(frontdesk, estate, shanghai(2026, 11, 16, 0, 0, 30))  # Monday of W47
    receive(frontdesk, estate, shanghai(2026, 11, 22, 23, 59, 30))  # Sunday of W47
    receive(frontdesk, estate, shanghai(2026, 11, 23, 0, 0, 30))  # Monday of W48

    report = summary(now=shanghai(2026, 11, 24, 9, 0))

    assert report["total"]["received"] == 2
    assert report["previous_total"]["received"] == 1
    assert category_row(report, "FAC")["received"] == 2
    assert (report["start"], report["end"]) == ("2026-11-16", "2026-11-23")
    assert report["time_zones"] == [
        {
            "time_zone": "Asia/Shanghai",
            "estates": ["HY"],
            "start": "2026-11-16T00:00:00+08:00",
            "end": "2026-11-23T00:00:00+08:00",
        }
    ]


def test_closed_counts_closings_in_the_week_whenever_received(frontdesk, estate):
    earlier = receive(frontdesk, estate, LAST_WEDNESDAY)
    explain_invalid(earlier, frontdesk, WEDNESDAY)
    late = receive(frontdesk, estate, WEDNESDAY)
    explain_invalid(late, frontdesk, NEXT_WEDNESDAY)
    receive(frontdesk, estate, WEDNESDAY)

    assert total()["closed"] == 1
    assert total(week=WEEK.shifted(1), now=NEXT_WEDNESDAY + HOUR)["closed"] == 1


def test_a_complaint_closed_the_week_after_it_was_received_is_open_at_the_end(frontdesk, estate):
    complaint = receive(frontdesk, estate, WEDNESDAY)
    explain_invalid(complaint, frontdesk, NEXT_WEDNESDAY)
    still_open = receive(frontdesk, estate, LAST_WEDNESDAY)
    closed_in_week = receive(frontdesk, estate, WEDNESDAY)
    explain_invalid(closed_in_week, frontdesk, WEDNESDAY + HOUR)

    assert total()["open_at_end"] == 2  # ``complaint`` and ``still_open``
    assert total(week=WEEK.shifted(1), now=NEXT_WEDNESDAY + HOUR)["open_at_end"] == 1
    assert still_open.reference  # open at the end of both weeks


def test_a_reopened_complaint_is_open_again_and_the_past_week_does_not_change(
    frontdesk, supervisor, estate
):
    complaint = receive(frontdesk, estate, LAST_WEDNESDAY)
    resolve(complaint, frontdesk, supervisor, WEDNESDAY)
    close(complaint, frontdesk, WEDNESDAY + HOUR, satisfaction="satisfied")
    before = summary(now=NEXT_WEDNESDAY - HOUR)

    act(NEXT_WEDNESDAY, complaint, supervisor, "reopen", reason="又漏水了")
    after = summary(now=NEXT_WEDNESDAY + HOUR)
    next_week = summary(week=WEEK.shifted(1), now=NEXT_WEDNESDAY + HOUR)

    assert before["total"] == after["total"]
    assert after["total"]["closed"] == 1
    assert after["total"]["open_at_end"] == 0
    assert after["total"]["satisfaction"] == 1.0
    assert after["total"]["median_resolution_hours"] == 7 * 24.0
    assert next_week["total"]["open_at_end"] == 1
    assert next_week["total"]["closed"] == 0
    assert next_week["total"]["escalated"] == 1  # reopening raises the level


def test_closed_and_reopened_within_the_week_is_open_at_its_end(frontdesk, supervisor, estate):
    complaint = receive(frontdesk, estate, LAST_WEDNESDAY)
    explain_invalid(complaint, frontdesk, WEDNESDAY)
    act(WEDNESDAY + HOUR, complaint, supervisor, "reopen", reason="住户不认可解释")

    figures = total()

    assert figures["closed"] == 1
    assert figures["open_at_end"] == 1
    assert figures["invalid"] == 1


def test_a_residents_unsatisfied_rating_reopens_like_a_reopen_and_the_past_week_keeps(
    frontdesk, supervisor, estate
):
    complaint = receive(frontdesk, estate, LAST_WEDNESDAY)
    resolve(complaint, frontdesk, supervisor, WEDNESDAY)
    close(complaint, frontdesk, WEDNESDAY + HOUR, satisfaction="satisfied")
    before = summary(now=NEXT_WEDNESDAY - HOUR)

    reopened = rate(complaint, NEXT_WEDNESDAY, "unsatisfied", comment="还是漏水")
    after = summary(now=NEXT_WEDNESDAY + HOUR)
    next_week = summary(week=WEEK.shifted(1), now=NEXT_WEDNESDAY + HOUR)

    assert reopened.stage == "resolution" and reopened.closed_at is None
    assert before["total"] == after["total"]
    assert (after["total"]["closed"], after["total"]["open_at_end"]) == (1, 0)
    assert after["total"]["satisfaction"] == 1.0  # the closing's rating, recorded by staff
    assert next_week["total"]["open_at_end"] == 1
    assert next_week["total"]["closed"] == 0


def test_escalated_counts_escalations_created_in_the_week(frontdesk, supervisor, estate):
    complaint = receive(frontdesk, estate, LAST_WEDNESDAY)
    act(WEDNESDAY, complaint, supervisor, "escalate", reason="other", note="住户要求经理回电")
    act(WEDNESDAY + HOUR, complaint, supervisor, "escalate", reason="unsatisfied", note="")
    receive(frontdesk, estate, WEDNESDAY)

    assert total()["escalated"] == 1
    assert summary()["previous_total"]["escalated"] == 0


def test_overdue_at_end_is_open_with_a_deadline_unmet_at_the_end(frontdesk, estate):
    sunday_evening = shanghai(2026, 11, 22, 20, 0)
    # Urgent: acknowledge within 15 minutes, around the clock.
    ignored = receive(frontdesk, estate, sunday_evening, severity="urgent")
    met_too_late = receive(frontdesk, estate, sunday_evening, severity="urgent")
    act(shanghai(2026, 11, 23, 0, 30), met_too_late, frontdesk, "accept")
    in_time = receive(frontdesk, estate, shanghai(2026, 11, 22, 23, 0), severity="urgent")
    act(shanghai(2026, 11, 22, 23, 5), in_time, frontdesk, "accept")
    closed = receive(frontdesk, estate, sunday_evening, severity="urgent")
    explain_invalid(closed, frontdesk, sunday_evening + HOUR)

    figures = total(now=shanghai(2026, 11, 23, 9, 0))

    assert figures["open_at_end"] == 3
    assert figures["overdue_at_end"] == 2  # ``ignored`` and ``met_too_late``
    assert ignored.reference != met_too_late.reference


def test_callbacks_on_time_is_the_share_of_first_callbacks_met_by_their_due_time(frontdesk, estate):
    def urgent_accepted():
        complaint = receive(frontdesk, estate, WEDNESDAY, severity="urgent")
        act(WEDNESDAY + dt.timedelta(minutes=5), complaint, frontdesk, "accept")
        return complaint  # first callback due at WEDNESDAY + 2 h

    on_time, late, _never = urgent_accepted(), urgent_accepted(), urgent_accepted()
    act(WEDNESDAY + HOUR, on_time, frontdesk, "log_callback", reached=True, note="已回电")
    act(WEDNESDAY + 3 * HOUR, late, frontdesk, "log_callback", reached=True, note="已回电")
    due_next_week = receive(frontdesk, estate, NEXT_WEDNESDAY, severity="urgent")
    act(NEXT_WEDNESDAY + HOUR, due_next_week, frontdesk, "accept")

    figures = total()

    assert figures["callbacks_on_time"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary()["previous_total"]["callbacks_on_time"] is None


def test_median_resolution_hours_over_complaints_resolved_in_the_week(
    frontdesk, supervisor, estate
):
    for hours in (2, 5, 10, 30):
        complaint = receive(frontdesk, estate, WEDNESDAY - dt.timedelta(hours=hours))
        resolve(complaint, frontdesk, supervisor, WEDNESDAY)
    later = receive(frontdesk, estate, WEDNESDAY)
    resolve(later, frontdesk, supervisor, NEXT_WEDNESDAY)

    report = summary()

    assert report["total"]["median_resolution_hours"] == 7.5
    assert category_row(report, "FAC")["median_resolution_hours"] == 7.5
    assert category_row(report, "QUAL")["median_resolution_hours"] is None


def test_satisfaction_is_the_share_of_rated_closings_satisfied_or_fairly(
    frontdesk, supervisor, estate
):
    for rating in ("satisfied", "fairly", "unsatisfied", "unreachable"):
        complaint = receive(frontdesk, estate, LAST_WEDNESDAY)
        resolve(complaint, frontdesk, supervisor, WEDNESDAY)
        close(complaint, supervisor, WEDNESDAY + HOUR, satisfaction=rating)
    explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, WEDNESDAY + HOUR)

    figures = total()

    assert figures["closed"] == 5
    assert figures["satisfaction"] == pytest.approx(2 / 3, abs=1e-4)


def test_follow_up_rate_and_residents_own_satisfaction_on_a_small_history(
    frontdesk, supervisor, estate
):
    def closed_with(rating: str, moment=WEDNESDAY + HOUR, category="FAC-LIFT"):
        complaint = receive(frontdesk, estate, moment - dt.timedelta(days=2), category=category)
        resolve(complaint, frontdesk, supervisor, moment - HOUR)
        return close(complaint, supervisor, moment, satisfaction=rating)

    pleased = closed_with("satisfied")
    displeased = closed_with("unsatisfied")
    closed_with("unreachable")
    explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, WEDNESDAY + HOUR)
    rated_next_week = closed_with("fairly")
    closed_last_week = closed_with("satisfied", LAST_WEDNESDAY + HOUR, category="FEE-PROP")
    # The residents' own ratings: two in the week, one of them unsatisfied; one the week after.
    rate(closed_last_week, WEDNESDAY + 2 * HOUR, "fairly")
    rate(displeased, WEDNESDAY + 3 * HOUR, "unsatisfied", comment="还是漏水")
    rate(rated_next_week, NEXT_WEDNESDAY, "satisfied")

    report = summary(now=NEXT_WEDNESDAY + HOUR)
    figures, fac, fee = report["total"], *(category_row(report, c) for c in ("FAC", "FEE"))
    next_week = total(week=WEEK.shifted(1), now=NEXT_WEDNESDAY + HOUR)

    assert pleased.satisfaction == "satisfied"
    # Closed in the week: five; with a rating at the closing: three (unreachable and the
    # explained one recorded none).
    assert figures["closed"] == 5
    assert figures["follow_up_rate"] == 0.6
    assert figures["satisfaction"] == pytest.approx(2 / 3, abs=1e-4)
    # The residents' ratings given in the week: fairly (FEE) and unsatisfied (FAC).
    assert figures["resident_satisfaction"] == 0.5
    assert (fac["follow_up_rate"], fac["resident_satisfaction"]) == (0.6, 0.0)
    assert (fee["follow_up_rate"], fee["resident_satisfaction"]) == (None, 1.0)
    assert report["previous_total"]["follow_up_rate"] == 1.0
    assert report["previous_total"]["resident_satisfaction"] is None
    assert (next_week["closed"], next_week["follow_up_rate"]) == (0, None)
    assert next_week["resident_satisfaction"] == 1.0


def test_repeat_counts_complaints_received_in_the_week_linked_as_repeats(frontdesk, estate, unit):
    receive(frontdesk, estate, LAST_WEDNESDAY, unit=unit)
    repeat = receive(frontdesk, estate, WEDNESDAY, unit=unit)
    receive(frontdesk, estate, WEDNESDAY, unit=unit, category="FEE-PROP")

    report = summary()

    assert repeat.repeat_of_id is not None
    assert report["total"]["repeat"] == 1
    assert category_row(report, "FAC")["repeat"] == 1
    assert report["total"]["escalated"] == 1  # a repeat starts at level 1


def test_invalid_counts_closings_in_the_week_judged_invalid(frontdesk, estate):
    explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, WEDNESDAY + HOUR)
    valid = receive(frontdesk, estate, WEDNESDAY)
    act(WEDNESDAY + HOUR, valid, frontdesk, "accept")
    act(
        WEDNESDAY + 2 * HOUR,
        valid,
        frontdesk,
        "close_as_explained",
        validity="valid",
        explanation="已向住户解释清楚",
    )
    explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, NEXT_WEDNESDAY)

    figures = total()

    assert (figures["closed"], figures["invalid"]) == (2, 1)


def test_an_empty_week_defines_every_figure(supervisor, estate):
    report = summary(supervisor)

    assert report["total"] == {
        "received": 0,
        "closed": 0,
        "open_at_end": 0,
        "escalated": 0,
        "overdue_at_end": 0,
        "callbacks_on_time": None,
        "median_resolution_hours": None,
        "satisfaction": None,
        "follow_up_rate": None,
        "resident_satisfaction": None,
        "repeat": 0,
        "invalid": 0,
        "incident_linked": 0,
        "mindsets": {"vent": 0, "respect": 0, "compensation": 0},
        "without_incidents": {
            "callbacks_on_time": None,
            "median_resolution_hours": None,
            "satisfaction": None,
            "follow_up_rate": None,
            "resident_satisfaction": None,
        },
    }
    assert report["previous_total"] == report["total"]
    assert report["incidents"] == []
    assert [row["code"] for row in report["categories"]] == [
        "ENV",
        "FAC",
        "FEE",
        "NBR",
        "QUAL",
        "SEC",
        "SVC",
    ]
    for name in ("satisfaction", "follow_up_rate", "resident_satisfaction"):
        assert all(row[name] is None for row in report["categories"])
    assert [row["week"] for row in report["trend"]] == [
        str(WEEK.shifted(back)) for back in range(-7, 1)
    ]
    assert report["top_buildings"] == []


def test_the_trend_counts_eight_weeks_by_the_same_definitions(frontdesk, supervisor, estate):
    receive(frontdesk, estate, WEDNESDAY - dt.timedelta(weeks=7))
    old = receive(frontdesk, estate, WEDNESDAY - dt.timedelta(weeks=8))
    explain_invalid(receive(frontdesk, estate, LAST_WEDNESDAY), frontdesk, WEDNESDAY)
    act(WEDNESDAY, receive(frontdesk, estate, WEDNESDAY), supervisor, "escalate", reason="other")

    report = summary(now=WEDNESDAY + HOUR)
    trend = {row["week"]: row for row in report["trend"]}

    assert old.reference
    assert trend["2026-W40"] == {
        "week": "2026-W40",
        "received": 1,
        "closed": 0,
        "escalated": 0,
        "in_progress": False,
    }
    assert trend["2026-W46"]["received"] == 1
    assert trend["2026-W47"] == {
        "week": "2026-W47",
        "received": 1,
        "closed": 1,
        "escalated": 1,
        "in_progress": True,  # read on its Wednesday
    }
    for figure in ("received", "closed", "escalated"):
        assert trend["2026-W47"][figure] == report["total"][figure]
        assert trend["2026-W46"][figure] == report["previous_total"][figure]


def test_the_last_full_week_is_judged_in_shanghai():
    assert IsoWeek.last_full(shanghai(2026, 11, 23, 0, 0, 30)) == WEEK
    assert IsoWeek.last_full(shanghai(2026, 11, 22, 23, 59, 30)) == WEEK.shifted(-1)
    assert str(IsoWeek.parse("2026-W47")) == "2026-W47"
    for bad in ("2026-47", "2026-W00", "2025-W53", "W47"):
        with pytest.raises(ValueError):
            IsoWeek.parse(bad)
    assert str(IsoWeek.parse("2026-W53")) == "2026-W53"
