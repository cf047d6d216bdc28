"""Query budgets (SPEC §8: "a bounded number of queries"): each page and API list answers in at
most its budget of queries, and in as many for 30 rows as for 3 — nothing is read row by row.

Timing is the benchmark's job (bench/, docs/benchmarks.md); counting queries is exact and
runs everywhere, on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
import time_machine

from complaints.services.incidents import IncidentInput, incident_act, incident_open
from tests.complaints.helpers import act
from tests.complaints.page_helpers import NOW, signed_in
from tests.factories import (
    BuildingFactory,
    EstateFactory,
    ResidentFactory,
    UnitFactory,
    category,
    log_complaint,
)
from tests.reports.helpers import AFTER_THE_WEEK, WEDNESDAY

FRIDAY = WEDNESDAY + dt.timedelta(days=2)  # the same week, after everything happened in it
HOUR = dt.timedelta(hours=1)

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30
# The most queries each read may make, whatever the number of rows it shows: what it makes
# today on SQLite and PostgreSQL (the weekly report's is PostgreSQL's, whose medians are two
# aggregates and whose JIT switch is one statement more). Raise one only for a reason.
BUDGETS = {
    # The categories and buildings of the filters are kept in the process (forms/worklist.py).
    "worklist": 7,
    "worklist searched": 8,
    # Her unit as a caller says it, this week: the residents and the units matching are read.
    "worklist searched by unit, this week": 9,
    # The messages sent to the resident; in clarification, the canned explanations (话术库).
    "complaint page": 13,
    # With the building-wide incidents waiting at the top of the first page: one query.
    "escalation queue": 9,
    "incidents list": 7,
    # A supervisor's: with the escalation badge, and the forms drawn from what was read.
    "incident page": 11,
    # A desk of several estates: each estate's most frequent categories are one read.
    "intake page": 10,
    # A unit as a caller says it: the units and the residents living there, each read once
    # (the residents of the units named are read through their listed ids).
    "intake look-up": 11,
    "residents list": 9,
    "resident page": 7,
    # The week's building-wide incidents are one read (none here: no read of their buildings).
    "weekly report": 21,
    "weekly report, finished week computed and stored": 23,
    "weekly report, finished week stored": 9,
    "API complaints": 5,
    "API complaints searched": 6,
    # The estates' time zones are read once for the days.
    "API complaints searched, this week": 7,
    "API escalations": 3,
    "API events": 4,
    "API residents": 6,
    "API units": 3,
}


def _counts(
    assert_max, budget: int, grow: Callable[[int], None], read: Callable[[int], None]
) -> list[int]:
    """Grow the data to FEW rows, read; grow to MANY, read again: the queries of each read.
    A first read, not counted, fills what a process keeps between requests (the worklist's
    categories and buildings), as any request after a site's first has them."""
    grow(FEW)
    read(FEW)
    counts = []
    for rows in (FEW, MANY):
        grow(rows)
        with assert_max(budget) as captured:
            read(rows)
        counts.append(len(captured))
    return counts


def _growing(make: Callable[[int], object]) -> Callable[[int], None]:
    """``grow(n)`` makes rows until there are n, calling ``make(i)`` for each new one."""
    made: list = []

    def grow(rows: int) -> None:
        while len(made) < rows:
            made.append(make(len(made)))

    grow.made = made
    return grow


@pytest.fixture
def office_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _fresh(user):
    """The user as a new request loads it: nothing cached from an earlier request."""
    return type(user).objects.get(pk=user.pk)


def _units(estate, rows: int):
    return [UnitFactory(building__estate=estate) for _ in range(rows)]


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("office_clock")
def test_the_worklist(frontdesk, estate, resident, unit, django_assert_max_num_queries):
    def make(i: int):
        # A mix of what a row shows: unit or common area, resident or walk-in, deadlines.
        fields = {"unit": unit, "resident": resident} if i % 2 else {}
        complaint = log_complaint(frontdesk, estate=estate, summary=f"投诉{i}", **fields)
        return act(complaint, frontdesk, "accept") if i % 3 == 0 else complaint

    grow = _growing(make)
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get("/complaints/").content.decode()
        assert all(c.reference in page for c in grow.made) and len(grow.made) == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["worklist"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_worklist_searched(frontdesk, estate, resident, unit, django_assert_max_num_queries):
    # Her complaints and walk-ins of the same surname: the residents who match are read once.
    def make(i: int):
        if i % 2:
            fields = {"unit": unit, "resident": resident, "contact_name": ""}  # 王芳
        else:
            fields = {"contact_name": f"王{i}"}
        return log_complaint(frontdesk, estate=estate, summary=f"投诉{i}", **fields)

    grow = _growing(make)
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get("/complaints/", {"q": "王"}).content.decode()
        assert all(c.reference in page for c in grow.made) and len(grow.made) == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["worklist searched"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_worklist_searched_by_unit_and_days(
    frontdesk, estate, resident, unit, django_assert_max_num_queries
):
    def make(i: int):
        # Hers, and walk-ins at her door.
        fields = {"resident": resident} if i % 2 else {"contact_name": f"李{i}"}
        return log_complaint(
            frontdesk,
            estate=estate,
            unit=unit,
            summary=f"投诉{i}",
            received_at=NOW - i * HOUR,
            **fields,
        )

    grow = _growing(make)
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        query = {"q": "3-2-1201", "period": "this_week"}
        page = browser.get("/complaints/", query).content.decode()
        assert all(c.reference in page for c in grow.made) and len(grow.made) == rows
        assert "filter-errors" not in page

    budget = BUDGETS["worklist searched by unit, this week"]
    counts = _counts(django_assert_max_num_queries, budget, grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_complaint_page(frontdesk, estate, unit, django_assert_max_num_queries):
    complaint = act(log_complaint(frontdesk, estate=estate, unit=unit), frontdesk, "accept")

    def make(i: int) -> str:
        if i % 2:
            act(complaint, frontdesk, "log_callback", reached=bool(i % 4), note=f"回访{i}")
        else:
            act(complaint, frontdesk, "add_note", text=f"备注{i}")
        return f"{'回访' if i % 2 else '备注'}{i}"

    grow = _growing(make)
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get(f"/complaints/{complaint.reference}/").content.decode()
        assert all(note in page for note in grow.made) and len(grow.made) == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["complaint page"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_escalation_queue(
    frontdesk, supervisor, estate, other_estate, unit, django_assert_max_num_queries
):
    other_unit = UnitFactory(building__estate=other_estate)

    def make(i: int):
        # Two estates: the acknowledge form's people are read per estate, not per row.
        where = {"estate": estate, "unit": unit} if i % 2 else {"estate": other_estate}
        actor = frontdesk if i % 2 else supervisor
        complaint = log_complaint(actor, summary=f"升级{i}", **where)
        if not i % 2:
            where["unit"] = other_unit
        return act(complaint, actor, "escalate", reason="unsatisfied", note=f"要求主管{i}")

    grow = _growing(make)
    browser = signed_in(supervisor)

    def read(rows: int) -> None:
        page = browser.get("/escalations/").content.decode()
        assert all(c.reference in page for c in grow.made) and len(grow.made) == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["escalation queue"], grow, read)
    assert counts[0] == counts[1], counts


def _incident(actor, estate, i: int, buildings=()):
    return incident_open(
        actor=actor,
        data=IncidentInput(
            estate=estate,
            category=category("FAC-UTIL"),
            title=f"停水{i}",
            notice=f"抢修中{i}",
            expected_end=NOW + dt.timedelta(hours=6),
            buildings=tuple(buildings),
        ),
    )


@pytest.mark.usefixtures("office_clock")
def test_the_incidents_list(frontdesk, supervisor, estate, unit, django_assert_max_num_queries):
    def make(i: int):
        # Whole estate or one building, some with linked complaints, some resolved.
        incident = _incident(supervisor, estate, i, [unit.building] if i % 2 else [])
        if i % 3 == 0:
            act(
                log_complaint(frontdesk, estate=estate, unit=unit),
                supervisor,
                "link_incident",
                incident=incident.pk,
            )
        if i % 4 == 0:
            incident_act(
                incident_id=incident.pk,
                actor=supervisor,
                action="resolve",
                data={"outcome": "已恢复", "liability": "ours"},
            )
        return incident

    grow = _growing(make)
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get("/incidents/").content.decode()
        assert all(i.reference in page for i in grow.made) and len(grow.made) == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["incidents list"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_incident_page(frontdesk, supervisor, estate, unit, django_assert_max_num_queries):
    incident = _incident(supervisor, estate, 0, [unit.building])

    def make(i: int):
        complaint = log_complaint(frontdesk, estate=estate, unit=unit if i % 2 else None)
        act(complaint, supervisor, "link_incident", incident=incident.pk)
        incident_act(
            incident_id=incident.pk, actor=supervisor, action="update", data={"notice": f"通知{i}"}
        )
        return complaint

    grow = _growing(make)
    browser = signed_in(supervisor)

    def read(rows: int) -> None:
        page = browser.get(f"/incidents/{incident.pk}/").content.decode()
        assert all(c.reference in page for c in grow.made) and len(grow.made) == rows
        assert page.count('data-kind="update"') == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["incident page"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_intake_page(frontdesk, estate, unit, django_assert_max_num_queries):
    log_complaint(frontdesk, estate=estate, unit=unit, category="QUAL-LEAK")

    def make(i: int):
        other = EstateFactory(code=f"E{i:02d}")
        frontdesk.staff_member.estates.add(other)
        for code in ("SEC-NOISE", "SEC-NOISE", "FAC-LIFT"):
            log_complaint(_fresh(frontdesk), estate=other, category=code)
        return other

    grow = _growing(make)
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get("/complaints/new/?estate=HY").content.decode()
        assert len(grow.made) == rows
        noise = re.search(r'<option value="SEC-NOISE"[^>]*>', page)
        assert noise, page
        codes = [f"{other.code}:1" for other in grow.made]
        assert f'data-estate-ranks="{" ".join(codes)}"' in noise[0]

    counts = _counts(django_assert_max_num_queries, BUDGETS["intake page"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("said", ["3-2-801", "32801", "801", "0801"])
def test_the_intake_look_up(frontdesk, estate, said, django_assert_max_num_queries):
    three = BuildingFactory(estate=estate, name="3号楼")

    def make(i: int):
        unit = UnitFactory(building=three, entrance=str(i + 1), room="801")
        return ResidentFactory(name=f"住户{i:02d}", phone=f"138{i:04d}0801", units=[unit])

    grow = _growing(make)
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get("/complaints/new/lookup/", {"lookup": said}).content.decode()
        assert len(grow.made) == rows and "3号楼" in page, page

    counts = _counts(django_assert_max_num_queries, BUDGETS["intake look-up"], grow, read)
    assert counts[0] == counts[1], counts


def test_the_residents_list(frontdesk, estate, django_assert_max_num_queries):
    units = _units(estate, MANY)
    grow = _growing(lambda i: ResidentFactory(name=f"住户{i:02d}", units=[units[i]]))
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get("/residents/").content.decode()
        assert all(r.name in page for r in grow.made) and len(grow.made) == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["residents list"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_resident_page(frontdesk, estate, unit, resident, django_assert_max_num_queries):
    grow = _growing(
        lambda i: log_complaint(
            frontdesk, estate=estate, unit=unit, resident=resident, summary=f"投诉{i}"
        )
    )
    browser = signed_in(frontdesk)

    def read(rows: int) -> None:
        page = browser.get(f"/residents/{resident.pk}/").content.decode()
        assert all(c.reference in page for c in grow.made) and len(grow.made) == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["resident page"], grow, read)
    assert counts[0] == counts[1], counts


def test_the_weekly_report(frontdesk, manager, estate, unit, django_assert_max_num_queries):
    """The week not yet over: computed at every read."""

    def make(i: int):
        with time_machine.travel(WEDNESDAY, tick=False):
            complaint = log_complaint(frontdesk, estate=estate, unit=unit, summary=f"投诉{i}")
            if i % 3 == 0:
                act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
        return complaint

    grow = _growing(make)
    browser = signed_in(manager)

    def read(rows: int) -> None:
        with time_machine.travel(FRIDAY, tick=False):
            response = browser.get("/reports/weekly/?week=2026-W47")
        assert response.context["report"]["total"]["received"] == rows

    counts = _counts(django_assert_max_num_queries, BUDGETS["weekly report"], grow, read)
    assert counts[0] == counts[1], counts


def test_the_weekly_report_of_a_finished_week(
    frontdesk, manager, estate, unit, django_assert_max_num_queries
):
    """Computed and stored at its first read, and again once a back-dated complaint lands in
    it; read from storage otherwise."""
    browser = signed_in(manager)
    computed = BUDGETS["weekly report, finished week computed and stored"]

    def read(moment: dt.datetime, budget: int) -> tuple[dict, int]:
        with (
            time_machine.travel(moment, tick=False),
            django_assert_max_num_queries(budget) as captured,
        ):
            response = browser.get("/reports/weekly/?week=2026-W47")
        return response.context["report"], len(captured)

    def receive(rows: int, moment: dt.datetime) -> None:
        with time_machine.travel(moment, tick=False):
            for _ in range(rows):
                log_complaint(frontdesk, estate=estate, unit=unit, received_at=WEDNESDAY)

    receive(FEW, WEDNESDAY)
    first, first_queries = read(AFTER_THE_WEEK, computed)
    receive(MANY - FEW, AFTER_THE_WEEK + HOUR)  # entered late, received in the week
    again, again_queries = read(AFTER_THE_WEEK + 2 * HOUR, computed)
    stored, _queries = read(
        AFTER_THE_WEEK + 3 * HOUR, BUDGETS["weekly report, finished week stored"]
    )

    assert (first["total"]["received"], again["total"]["received"]) == (FEW, MANY)
    assert first_queries == again_queries, (first_queries, again_queries)
    assert stored == again


# --- API lists --------------------------------------------------------------------------------


@pytest.mark.usefixtures("office_clock")
def test_the_api_complaint_list(api, frontdesk, estate, unit, django_assert_max_num_queries):
    def make(i: int):
        # One unit and category throughout: every complaint after the first is a repeat.
        complaint = log_complaint(frontdesk, estate=estate, unit=unit)
        return act(complaint, frontdesk, "accept") if i % 3 == 0 else complaint

    grow = _growing(make)

    def read(rows: int) -> None:
        api.as_user(_fresh(frontdesk))
        body = api.get("/api/v1/complaints/").json()
        assert [c["reference"] for c in body["results"]] == [
            c.reference for c in reversed(grow.made)
        ]
        assert all(c["deadlines"] for c in body["results"])
        assert all(c["repeat_of"] for c in body["results"][:-1])

    counts = _counts(django_assert_max_num_queries, BUDGETS["API complaints"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_api_complaint_list_searched(
    api, frontdesk, estate, resident, unit, django_assert_max_num_queries
):
    grow = _growing(
        lambda i: log_complaint(
            frontdesk, estate=estate, unit=unit, resident=resident, summary=f"投诉{i}"
        )
    )

    def read(rows: int) -> None:
        api.as_user(_fresh(frontdesk))
        body = api.get("/api/v1/complaints/", {"q": "王芳"}).json()
        assert [c["reference"] for c in body["results"]] == [
            c.reference for c in reversed(grow.made)
        ]

    counts = _counts(django_assert_max_num_queries, BUDGETS["API complaints searched"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_api_complaint_list_searched_this_week(
    api, frontdesk, estate, resident, unit, django_assert_max_num_queries
):
    grow = _growing(
        lambda i: log_complaint(
            frontdesk, estate=estate, unit=unit, resident=resident, summary=f"投诉{i}"
        )
    )

    def read(rows: int) -> None:
        api.as_user(_fresh(frontdesk))
        body = api.get("/api/v1/complaints/", {"q": "王芳", "period": "this_week"}).json()
        assert [c["reference"] for c in body["results"]] == [
            c.reference for c in reversed(grow.made)
        ]

    budget = BUDGETS["API complaints searched, this week"]
    counts = _counts(django_assert_max_num_queries, budget, grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_api_escalation_list(api, frontdesk, supervisor, estate, django_assert_max_num_queries):
    def make(i: int):
        complaint = log_complaint(frontdesk, estate=estate, summary=f"升级{i}")
        return act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")

    grow = _growing(make)

    def read(rows: int) -> None:
        api.as_user(_fresh(supervisor))
        body = api.get("/api/v1/escalations/?open=true").json()
        assert sorted(e["complaint"] for e in body) == sorted(c.reference for c in grow.made)

    counts = _counts(django_assert_max_num_queries, BUDGETS["API escalations"], grow, read)
    assert counts[0] == counts[1], counts


@pytest.mark.usefixtures("office_clock")
def test_the_api_timeline(api, frontdesk, estate, django_assert_max_num_queries):
    complaint = log_complaint(frontdesk, estate=estate)
    logged = complaint.events.count()
    grow = _growing(lambda i: act(complaint, frontdesk, "add_note", text=f"备注{i}"))

    def read(rows: int) -> None:
        api.as_user(_fresh(frontdesk))
        body = api.get(f"/api/v1/complaints/{complaint.reference}/events/").json()
        assert len(body) == logged + rows
        assert {e["actor"] for e in body} == {"frontdesk"}

    counts = _counts(django_assert_max_num_queries, BUDGETS["API events"], grow, read)
    assert counts[0] == counts[1], counts


def test_the_api_resident_list(api, frontdesk, estate, django_assert_max_num_queries):
    units = _units(estate, MANY)
    grow = _growing(lambda i: ResidentFactory(name=f"住户{i:02d}", units=[units[i]]))

    def read(rows: int) -> None:
        api.as_user(_fresh(frontdesk))
        body = api.get("/api/v1/residents/?q=住户").json()
        assert [r["name"] for r in body] == [f"住户{i:02d}" for i in range(rows)]
        assert all(len(r["units"]) == 1 for r in body)

    counts = _counts(django_assert_max_num_queries, BUDGETS["API residents"], grow, read)
    assert counts[0] == counts[1], counts


def test_the_api_unit_list(api, frontdesk, estate, django_assert_max_num_queries):
    grow = _growing(lambda i: UnitFactory(building__estate=estate))

    def read(rows: int) -> None:
        api.as_user(_fresh(frontdesk))
        body = api.get(f"/api/v1/units/?estate={estate.code}").json()
        assert sorted(u["id"] for u in body) == sorted(u.pk for u in grow.made)
        assert {u["estate"] for u in body} == {estate.code}

    counts = _counts(django_assert_max_num_queries, BUDGETS["API units"], grow, read)
    assert counts[0] == counts[1], counts


# --- intake -----------------------------------------------------------------------------------

# Token and user; roles, staff record and estates; the unit with its estate; the category with
# its parent; the repeat look-up; the calendar; the policy; the supervisors (urgent or repeat);
# the number; the complaint, its deadline, its escalation (repeat), its events, its messages;
# the transaction's two ends (a savepoint here). The answer is made from what was written.
INTAKE_BUDGET = 17


def _intake_body(unit, **changes) -> dict:
    body = {
        "estate": unit.building.estate.code,
        "unit": unit.pk,
        "contact_name": "王芳",
        "contact_phone": "13812345678",
        "channel": "phone",
        "category": "FAC-LIFT",
        "severity": "urgent",
        "summary": "电梯困人",
        "account": "3号楼电梯困人。",
    }
    return body | changes


@pytest.mark.usefixtures("office_clock")
def test_intake_through_the_api(frontdesk, supervisor, unit, django_assert_max_num_queries):
    from rest_framework.test import APIClient

    from complaints.models import Escalation
    from notifications.models import Notification
    from staff.tokens import api_token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=frontdesk)[1]}")
    answers, statements = [], []
    for summary in ("电梯困人", "电梯又困人"):  # the second is a repeat of the first
        with django_assert_max_num_queries(INTAKE_BUDGET) as captured:
            response = client.post(
                "/api/v1/complaints/", _intake_body(unit, summary=summary), format="json"
            )
        assert response.status_code == 201, response.content
        answers.append(response.json())
        statements.append([q["sql"] for q in captured.captured_queries])

    first, repeat = answers
    assert repeat["repeat_of"] == first["reference"]
    assert repeat["escalation_level"] == 1
    assert [d["kind"] for d in repeat["deadlines"]] == ["acknowledge"]
    escalation = Escalation.objects.get(complaint__reference=repeat["reference"])
    assert escalation.reason == "repeat"
    # The supervisor hears of the urgent complaint, then of the repeat and its escalation.
    assert list(
        Notification.objects.filter(recipient=supervisor)
        .order_by("id")
        .values_list("complaint__reference", "kind")
    ) == [
        (first["reference"], "urgent_intake"),
        (repeat["reference"], "escalation"),
        (repeat["reference"], "urgent_intake"),
    ]
    # The reference counter is taken after every read: its row lock, which every other intake
    # of the estate's day waits for, is held only for the inserts.
    for sql in statements:
        counter = next(i for i, s in enumerate(sql) if "complaints_referencecounter" in s)
        after = [s.split()[0].upper() for s in sql[counter + 1 :]]
        assert set(after) <= {"INSERT", "COMMIT", "RELEASE"}, sql[counter + 1 :]
        assert "INSERT" in after
