"""Whose complaints, on whose clock, in how many queries, and the worklist behind each count."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.http import Http404

from complaints.selectors import complaint_list
from reports.figures import COUNTS
from reports.summary import weekly_summary
from tests.factories import BuildingFactory, EstateFactory, UnitFactory, make_staff
from tests.reports.helpers import (
    AFTER_THE_WEEK,
    WEDNESDAY,
    WEEK,
    act,
    close,
    explain_invalid,
    london,
    receive,
    resolve,
    shanghai,
    summary,
)

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def london_estate(db):
    return EstateFactory(code="LD", name="Thames Court", time_zone="Europe/London")


@pytest.fixture
def london_desk(london_estate):
    return make_staff("desk_ld", role="front_desk", estates=[london_estate])


def test_an_estate_in_another_zone_keeps_its_own_week(
    frontdesk, london_desk, estate, london_estate
):
    manager = make_staff("manager_both", role="manager", estates=[estate, london_estate])
    receive(london_desk, london_estate, london(2026, 11, 15, 23, 30))  # W46 in London
    receive(london_desk, london_estate, london(2026, 11, 16, 0, 30))  # = 08:30 in Shanghai
    receive(london_desk, london_estate, london(2026, 11, 22, 23, 30))  # = Mon 07:30 Shanghai
    receive(frontdesk, estate, shanghai(2026, 11, 16, 7, 30))  # = Sun 23:30 in London
    receive(frontdesk, estate, shanghai(2026, 11, 23, 0, 30))  # W48 in Shanghai

    report = summary(manager)
    london_only = summary(manager, estate="LD")

    assert report["total"]["received"] == 3
    assert london_only["total"]["received"] == 2
    assert london_only["previous_total"]["received"] == 1
    assert london_only["time_zones"] == [
        {
            "time_zone": "Europe/London",
            "estates": ["LD"],
            "start": "2026-11-16T00:00:00+00:00",
            "end": "2026-11-23T00:00:00+00:00",
        }
    ]
    assert [z["time_zone"] for z in report["time_zones"]] == ["Asia/Shanghai", "Europe/London"]


def test_a_reader_sees_only_the_estates_they_cover(frontdesk, frontdesk_b, estate, other_estate):
    hy_supervisor = make_staff("supervisor_hy", role="supervisor", estates=[estate])
    receive(frontdesk, estate, WEDNESDAY)
    receive(frontdesk_b, other_estate, WEDNESDAY)
    receive(frontdesk_b, other_estate, WEDNESDAY)

    assert summary(hy_supervisor)["total"]["received"] == 1
    assert summary(None)["total"]["received"] == 3
    assert [e["code"] for e in summary(hy_supervisor)["estates"]] == ["HY"]
    with pytest.raises(Http404):
        summary(hy_supervisor, estate="JD")


def _scenario(frontdesk, supervisor, estate, unit, n: int) -> None:
    """``n`` complaints of every kind the figures look at."""
    for i in range(n):
        moment = WEDNESDAY + dt.timedelta(minutes=10 * i)
        repeat_unit = unit if i % 2 else None
        explain_invalid(receive(frontdesk, estate, moment, unit=repeat_unit), frontdesk, moment)
        resolved = receive(frontdesk, estate, moment - dt.timedelta(days=8), unit=unit)
        resolve(resolved, frontdesk, supervisor, moment + HOUR)
        close(resolved, frontdesk, moment + 2 * HOUR)
        act(moment + 3 * HOUR, resolved, supervisor, "reopen", reason="again")
        urgent = receive(frontdesk, estate, moment, severity="urgent")
        act(moment + 5 * dt.timedelta(minutes=1), urgent, frontdesk, "accept")
        act(moment + HOUR, urgent, supervisor, "escalate", reason="other", note="")


# Roles, staff record and estate ids (one read), the estates of the choice, then the report's
# own: the counts, callbacks, residents' own ratings, medians (two on PostgreSQL), buildings,
# three for the trend, the week's incidents (none here, so no read of their buildings) and the
# categories; on PostgreSQL also the transaction that keeps its JIT compiler out (begin, SET
# LOCAL, commit). A supervisor sees every complaint of the estates, so they are read by estate:
# no query for the scoping rule.
MAX_QUERIES = 16 if connection.vendor == "postgresql" else 12


def _queries(reader, django_assert_max_num_queries) -> int:
    reader = User.objects.get(pk=reader.pk)  # no cached roles or staff record
    with (
        django_assert_max_num_queries(MAX_QUERIES) as captured,
        time_machine.travel(AFTER_THE_WEEK, tick=False),
    ):
        report = weekly_summary(reader=reader, week=WEEK)
    assert report["total"]["received"] > 0
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_rows(
    frontdesk, supervisor, estate, unit, django_assert_max_num_queries
):
    _scenario(frontdesk, supervisor, estate, unit, 1)
    few = _queries(supervisor, django_assert_max_num_queries)
    _scenario(frontdesk, supervisor, estate, unit, 6)
    many = _queries(supervisor, django_assert_max_num_queries)

    assert few == many == MAX_QUERIES


def _count(figures: dict, figure: str) -> int:
    if figure.startswith("mindset_"):
        return figures["mindsets"][figure.removeprefix("mindset_")]
    return figures[figure]


def test_each_count_links_to_exactly_its_complaints(frontdesk, supervisor, estate, unit):
    _scenario(frontdesk, supervisor, estate, unit, 3)
    receive(frontdesk, estate, WEDNESDAY - dt.timedelta(weeks=3))
    receive(frontdesk, estate, WEDNESDAY, mindset="respect")
    receive(frontdesk, estate, WEDNESDAY - dt.timedelta(weeks=3), mindset="respect")
    report = summary(supervisor)

    for figure in COUNTS:
        for row in report["categories"]:
            listed = complaint_list(
                user=supervisor,
                filters={"week": "2026-W47", "figure": figure, "category": row["code"]},
            )
            with time_machine.travel(AFTER_THE_WEEK, tick=False):
                assert listed.count() == _count(row, figure), (figure, row["code"])
        listed = complaint_list(user=supervisor, filters={"week": "2026-W47", "figure": figure})
        assert listed.count() == _count(report["total"], figure), figure
    assert report["total"]["open_at_end"] > 0 and report["total"]["overdue_at_end"] > 0
    assert report["total"]["mindsets"]["respect"] == 1


def test_the_top_buildings_are_the_five_with_most_complaints_received(frontdesk, estate):
    for index, count in enumerate((1, 4, 2, 6, 3, 5)):
        unit = UnitFactory(building=BuildingFactory(estate=estate, name=f"{index + 1}号楼"))
        for _ in range(count):
            receive(frontdesk, estate, WEDNESDAY, unit=unit, category="SEC-PARK")
    receive(frontdesk, estate, WEDNESDAY)  # a common area: no building

    report = summary()

    assert [(b["label"], b["received"]) for b in report["top_buildings"]] == [
        ("4号楼", 6),
        ("6号楼", 5),
        ("2号楼", 4),
        ("5号楼", 3),
        ("3号楼", 2),
    ]
