import datetime as dt
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Max

from complaints.models import (
    Complaint,
    ComplaintEvent,
    Deadline,
    DeadlineState,
    Escalation,
    Incident,
    ReferenceCounter,
    Stage,
)
from complaints.selectors import complaints_visible_to
from demo.world import DEMO_ESTATE_CODES, DEMO_PASSWORD
from residents.models import Estate
from staff.models import Department
from tests.factories import log_complaint

# 18:15 in Shanghai: a working day's complaints are in, some still open.
NOW = dt.datetime(2026, 11, 27, 10, 15, tzinfo=dt.UTC)
ZONE = Estate(code="HY").zone
REFERENCE = re.compile(r"TS-(HY|JD|CH)-(\d{6})-(\d{4})")

pytestmark = pytest.mark.django_db


def seed(count: int = 60, **options) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", complaints=count, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed(seed=7)


def fingerprint() -> list[tuple]:
    """What a reader of the demo sees, without database ids (sequences differ between runs)."""
    complaints = Complaint.objects.select_related("category", "unit__building", "resident")
    return [
        (
            c.reference,
            c.stage,
            c.category.code,
            c.severity,
            c.summary,
            c.account,
            c.unit.label if c.unit else None,
            c.resident.name if c.resident else c.contact_name,
            c.received_at,
            c.closed_at,
            c.escalation_level,
            tuple(c.events.values_list("kind", "at", "actor__username", "to_stage", "note")),
            tuple(c.deadlines.values_list("kind", "due_at", "state", "met_at")),
        )
        for c in complaints.order_by("reference")
    ]


def seed_and_forget(**options) -> list[tuple]:
    """Seed an empty database, read it, and roll it all back: a fresh database each time."""
    with transaction.atomic():
        seed(**options)
        found = fingerprint()
        transaction.set_rollback(True)
    return found


def test_the_demo_users_sign_in_with_their_roles_and_estates(seeded):
    users = {u.username: u for u in User.objects.select_related("staff_member__department")}
    for username in ("admin", "manager", "supervisor", "frontdesk", "frontdesk_b", "handler"):
        assert users[username].check_password(DEMO_PASSWORD), username
        assert users[username].is_active
    groups = {name: set(users[name].groups.values_list("name", flat=True)) for name in users}
    estates = {
        name: set(users[name].staff_member.estates.values_list("code", flat=True)) for name in users
    }
    everywhere = set(DEMO_ESTATE_CODES)
    assert users["admin"].is_superuser and estates["admin"] == everywhere
    assert groups["manager"] == {"manager"} and estates["manager"] == everywhere
    assert groups["supervisor"] == {"supervisor"} and estates["supervisor"] == everywhere
    assert groups["frontdesk"] == {"front_desk"} and estates["frontdesk"] == everywhere
    assert groups["frontdesk_b"] == {"front_desk"} and estates["frontdesk_b"] == {"JD"}
    assert groups["handler"] == {"handler"} and estates["handler"] == everywhere
    assert users["handler"].staff_member.department.code == "ENG"
    assert users["frontdesk"].staff_member.department.code == "CS"
    assert users["frontdesk"].staff_member.language == "zh-hans"
    assert {u.staff_member.language for u in users.values()} == {"zh-hans", "en"}
    assert not Department.objects.filter(supervisor=None).exists()


def test_scoping_applies_to_the_demo_data(seeded):
    frontdesk_b = User.objects.get(username="frontdesk_b")
    handler = User.objects.get(username="handler")

    seen_by_b = complaints_visible_to(frontdesk_b)
    seen_by_handler = complaints_visible_to(handler)

    assert seen_by_b.count() == Complaint.objects.filter(estate__code="JD").count() > 0
    assert set(seen_by_handler.values_list("department__code", flat=True)) == {"ENG"}


def test_every_stage_is_present_and_every_complaint_has_its_timeline(seeded):
    assert Complaint.objects.count() == 60
    assert set(Complaint.objects.values_list("stage", flat=True)) == set(Stage.values)
    events = Counter(ComplaintEvent.objects.values_list("complaint_id", flat=True))
    assert set(events) == set(Complaint.objects.values_list("pk", flat=True))
    assert 5 <= sum(events.values()) / len(events) <= 10
    for complaint in Complaint.objects.all():
        timeline = list(complaint.events.order_by("at", "id"))
        assert timeline[0].kind == "created"
        moves = [e for e in timeline if e.to_stage]
        assert moves[-1].to_stage == complaint.stage, complaint.reference
        assert all(complaint.received_at <= e.at <= NOW for e in timeline)
        assert complaint.updated_at == timeline[-1].at


def test_references_are_well_formed_unique_and_counted(seeded):
    numbers = defaultdict(list)
    for complaint in Complaint.objects.select_related("estate"):
        match = REFERENCE.fullmatch(complaint.reference)
        assert match, complaint.reference
        code, day, number = match.groups()
        assert code == complaint.estate.code
        assert day == f"{complaint.received_at.astimezone(ZONE):%y%m%d}"
        numbers[(complaint.estate_id, dt.datetime.strptime(day, "%y%m%d").date())].append(
            int(number)
        )
    counters = {(c.estate_id, c.day): c.last for c in ReferenceCounter.objects.all()}
    assert counters == {key: len(found) for key, found in numbers.items()}
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())


def test_the_data_is_consistent_the_way_the_services_leave_it(seeded):
    for complaint in Complaint.objects.select_related("category__parent", "department"):
        complaint.full_clean()
        stage = complaint.stage
        assert (stage == Stage.INTAKE) == (complaint.accepted_at is None)
        if stage in (Stage.RESOLUTION, Stage.FOLLOW_UP) or complaint.plan:
            category = complaint.category
            expected = category.default_department or category.parent.default_department
            assert complaint.department == expected
            assert complaint.validity in ("valid", "assisted")
        if stage == Stage.FOLLOW_UP or complaint.satisfaction:
            assert complaint.resolved_at and complaint.liability and complaint.cause
        if stage == Stage.CLOSED:
            assert complaint.satisfaction or complaint.validity in ("invalid", "valid")
        if complaint.on_hold:
            assert stage == Stage.RESOLUTION and complaint.hold_until > NOW
        levels = complaint.escalations.aggregate(top=Max("level"))["top"] or 0
        assert complaint.escalation_level == levels
        if complaint.repeat_of:
            earlier = complaint.repeat_of
            assert earlier.received_at < complaint.received_at
            assert complaint.received_at - earlier.received_at <= dt.timedelta(days=30)
            assert earlier.top_category_id == complaint.top_category_id
            assert complaint.escalations.filter(reason="repeat", level=1).exists()
    for deadline in Deadline.objects.select_related("complaint"):
        deadline.full_clean()
        if deadline.state == DeadlineState.PENDING:
            # The sweep has run: whatever is still pending is not yet due.
            assert deadline.complaint.closed_at is None and deadline.due_at > NOW
    accepted = Deadline.objects.filter(kind="acknowledge").exclude(complaint__stage="intake")
    assert set(accepted.values_list("state", flat=True)) == {"met"}
    for escalation in Escalation.objects.filter(acknowledged_at=None):
        assert escalation.complaint.closed_at is None and escalation.next_reminder_at > NOW
    assert Escalation.objects.exclude(acknowledged_at=None).exists()
    # The queue's order, as the services write it: the missed deadline's due time, else the
    # raising time.
    for escalation in Escalation.objects.select_related("deadline"):
        expected = escalation.deadline.due_at if escalation.deadline else escalation.created_at
        assert escalation.overdue_since == expected, escalation
    assert (
        Escalation.objects.filter(deadline__isnull=False)
        .exclude(overdue_since=F("created_at"))
        .exists()
    )


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = seed_and_forget(seed=3)
    again = seed_and_forget(seed=3)
    other = seed_and_forget(seed=4)

    assert len(first) == 60
    assert first == again
    assert [c[:6] for c in first] != [c[:6] for c in other]


def test_a_later_intake_takes_the_next_reference_of_its_day(seeded):
    frontdesk = User.objects.get(username="frontdesk")
    estate = Estate.objects.get(code="HY")
    latest = Complaint.objects.filter(estate=estate).order_by("-received_at").first()
    day = latest.received_at.astimezone(ZONE).date()
    taken = sum(
        c.received_at.astimezone(ZONE).date() == day
        for c in Complaint.objects.filter(estate=estate)
    )

    with time_machine.travel(NOW, tick=False):
        complaint = log_complaint(
            frontdesk, estate=estate, received_at=latest.received_at + dt.timedelta(seconds=1)
        )

    assert complaint.reference == f"TS-HY-{day:%y%m%d}-{taken + 1:04d}"


def test_seeding_again_refuses_skips_or_adds(seeded):
    with pytest.raises(CommandError, match=r"already present.*--add"):
        seed()

    assert "nothing to do" in seed(if_empty=True)
    assert Complaint.objects.count() == 60

    seed(25, add=True, seed=8)
    references = list(Complaint.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 85


def test_progress_is_shown_line_by_line_off_a_terminal(seeded):
    assert "complaints 60/60 (100%)" in seeded
    assert "60 complaints with" in seeded
    assert "password is 'demo'" in seeded


@pytest.mark.django_db(transaction=True)
def test_batches_written_by_the_background_writer_hold_together():
    """Outside a transaction the bulk loader's batches are written by a thread while the next
    is generated."""
    output = seed(120, seed=5, batch_size=50, bulk=True)

    assert [line.split(" (")[0] for line in output.splitlines()[:3]] == [
        "complaints 50/120",
        "complaints 100/120",
        "complaints 120/120",
    ]
    assert Complaint.objects.count() == 120
    assert set(Complaint.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert not Complaint.objects.filter(events=None).exists()
    repeats = Complaint.objects.exclude(repeat_of=None).select_related("repeat_of")
    assert all(c.repeat_of.received_at < c.received_at for c in repeats)


def test_the_demo_has_the_mornings_water_cut_with_three_calls_linked_at_intake(seeded):
    incident = Incident.objects.get()

    assert incident.stage == "open" and incident.title.endswith("停水")
    assert [b.name for b in incident.buildings.all()] == [incident.title.removesuffix("停水")]
    assert incident.expected_end > NOW
    assert list(incident.events.values_list("kind", flat=True)) == ["opened", "update"]
    assert dict(incident.deadlines.values_list("kind", "state")) == {
        "acknowledge": "met",
        "resolution": "pending",
    }
    calls = list(incident.complaints.select_related("category", "unit__building"))
    assert len(calls) == 3 and Complaint.objects.count() == 60
    assert {(c.category.code, c.stage, c.unit.building.name) for c in calls} == {
        ("FAC-UTIL", "intake", incident.title.removesuffix("停水"))
    }
    assert all(c.events.get(kind="created").data["incident"] == incident.reference for c in calls)
    assert not Deadline.objects.filter(complaint__in=calls, kind="resolution").exists()
