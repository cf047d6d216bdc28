"""Intake: ``complaint_create`` numbers, checks, classifies and starts the acknowledge clock."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaints.errors import ActionForbidden
from complaints.models import (
    Category,
    Complaint,
    ComplaintEvent,
    DeadlineKind,
    DeadlineState,
    Escalation,
    ReferenceCounter,
)
from complaints.services.references import _counter_bump_without_returning
from residents.models import Residency
from tests.complaints.helpers import TUESDAY_10, local, staff_without_role
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, category, log_complaint


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        yield traveller


def nothing_was_logged() -> bool:
    return not (
        Complaint.objects.exists()
        or ComplaintEvent.objects.exists()
        or ReferenceCounter.objects.exists()
    )


def test_a_logged_complaint_starts_in_intake_with_what_the_desk_recorded(frontdesk, estate, unit):
    complaint = log_complaint(
        frontdesk, estate=estate, unit=unit, channel="walk_in", desired_outcome="apology"
    )

    assert complaint.reference == "TS-HY-260310-0001"
    assert (complaint.stage, complaint.validity, complaint.version) == ("intake", "pending", 1)
    assert (complaint.category.code, complaint.top_category.code) == ("FAC-LIFT", "FAC")
    assert (complaint.severity, complaint.channel, complaint.desired_outcome) == (
        "normal",
        "walk_in",
        "apology",
    )
    assert (complaint.logged_by, complaint.received_at, complaint.escalation_level) == (
        frontdesk,
        TUESDAY_10,
        0,
    )
    [event] = complaint.events.all()
    assert (event.kind, event.actor, event.at, event.from_stage, event.to_stage) == (
        "created",
        frontdesk,
        TUESDAY_10,
        "",
        "intake",
    )
    assert event.data["channel"] == "walk_in"
    assert "backdated" not in event.data


def test_references_count_per_estate_and_day(clock, supervisor, estate, other_estate):
    first = log_complaint(supervisor, estate=estate)
    second = log_complaint(supervisor, estate=estate)
    elsewhere = log_complaint(supervisor, estate=other_estate)
    clock.shift(dt.timedelta(days=1))
    next_day = log_complaint(supervisor, estate=estate)

    assert [c.reference for c in (first, second, elsewhere, next_day)] == [
        "TS-HY-260310-0001",
        "TS-HY-260310-0002",
        "TS-JD-260310-0001",
        "TS-HY-260311-0001",
    ]


def test_the_counter_counts_the_same_where_the_database_cannot_return_updated_rows(estate):
    # SQLite before 3.35 has no RETURNING: there the counter is bumped and read in two steps.
    day = dt.date(2026, 3, 10)
    bumps = [_counter_bump_without_returning(estate_id=estate.pk, day=day) for _ in range(2)]
    bumps.append(_counter_bump_without_returning(estate_id=estate.pk, day=day + dt.timedelta(1)))

    assert bumps == [1, 2, 1]
    assert list(ReferenceCounter.objects.order_by("day").values_list("last", flat=True)) == [2, 1]


def test_the_reference_day_is_the_estate_s_local_day(clock, supervisor, estate, other_estate):
    other_estate.time_zone = "Europe/London"
    other_estate.save()
    clock.move_to(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC))

    shanghai = log_complaint(supervisor, estate=estate)
    london = log_complaint(supervisor, estate=other_estate)

    # 23:30 UTC is already 07:30 on the 11th in Shanghai, still the 10th in London.
    assert shanghai.reference == "TS-HY-260311-0001"
    assert london.reference == "TS-JD-260310-0001"


def test_a_backdated_complaint_is_numbered_on_the_day_it_was_received(frontdesk, estate):
    today = log_complaint(frontdesk, estate=estate)
    yesterday = log_complaint(frontdesk, estate=estate, received_at=local(2026, 3, 9, 16, 0))
    today_again = log_complaint(frontdesk, estate=estate)

    assert [c.reference for c in (today, yesterday, today_again)] == [
        "TS-HY-260310-0001",
        "TS-HY-260309-0001",
        "TS-HY-260310-0002",
    ]


def test_a_reference_is_never_handed_out_twice_even_when_its_complaint_is_gone(frontdesk, estate):
    log_complaint(frontdesk, estate=estate)
    purged = log_complaint(frontdesk, estate=estate)
    # Purged by hand, as an administrator might: past the events' guard, through the plain
    # manager.
    ComplaintEvent._base_manager.filter(complaint=purged).delete()
    purged.delete()

    after = log_complaint(frontdesk, estate=estate)

    assert purged.reference == "TS-HY-260310-0002"
    assert after.reference == "TS-HY-260310-0003"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"contact_name": "", "contact_phone": ""},
            {
                "contact_name": ["Give the complainant's name, or choose a resident."],
                "contact_phone": ["Give a phone number to call the complainant back on."],
            },
        ),
        (
            {"contact_phone": "12345"},
            {"contact_phone": ["Enter a phone number of 7 to 15 digits."]},
        ),
        ({"account": ""}, {"account": ["Record the resident's own account."]}),
        ({"account": " \n "}, {"account": ["Record the resident's own account."]}),
        ({"summary": ""}, {"summary": ["This field is required."]}),
        ({"category": None}, {"category": ["This field is required."]}),
        (
            {"channel": "fax"},
            {"channel": ["Choose one of: phone, walk_in, front_desk, letter, online, other."]},
        ),
        ({"severity": "critical"}, {"severity": ["Choose one of: normal, major, urgent."]}),
        (
            {"received_at": TUESDAY_10 + dt.timedelta(minutes=6)},
            {"received_at": ["The received time cannot be in the future."]},
        ),
        (
            {"received_at": TUESDAY_10 - dt.timedelta(days=90, minutes=1)},
            {"received_at": ["Complaints can be entered up to 90 days back."]},
        ),
    ],
    ids=[
        "no-contact-no-resident",
        "short-phone",
        "no-account",
        "blank-account",
        "no-summary",
        "no-category",
        "unknown-channel",
        "unknown-severity",
        "future",
        "older-than-90-days",
    ],
)
def test_an_incomplete_complaint_is_refused_with_clear_messages(fields, errors, frontdesk, estate):
    with pytest.raises(ValidationError) as invalid:
        log_complaint(frontdesk, estate=estate, **fields)

    assert invalid.value.message_dict == errors
    assert nothing_was_logged()


def test_a_unit_of_another_estate_is_refused(frontdesk, estate, other_estate):
    elsewhere = UnitFactory(building=BuildingFactory(estate=other_estate, name="1号楼"))

    with pytest.raises(ValidationError) as invalid:
        log_complaint(frontdesk, estate=estate, unit=elsewhere)

    assert invalid.value.message_dict == {"unit": ["This unit is not in the chosen estate."]}
    assert nothing_was_logged()


def test_an_estate_the_user_does_not_cover_is_refused(frontdesk_b, estate):
    with pytest.raises(ValidationError) as invalid:
        log_complaint(frontdesk_b, estate=estate)

    assert invalid.value.message_dict == {"estate": ["You do not cover this estate."]}
    assert nothing_was_logged()


def test_an_inactive_category_is_refused(frontdesk, estate):
    Category.objects.filter(code="FAC-MAILBOX").update(active=False)

    with pytest.raises(ValidationError) as invalid:
        log_complaint(frontdesk, estate=estate, category="FAC-MAILBOX")

    assert invalid.value.message_dict == {"category": ["This category is no longer in use."]}
    assert nothing_was_logged()


@pytest.mark.parametrize("username", ["handler", "no_role"])
def test_only_front_desk_and_up_may_log(username, request, estate):
    actor = (
        request.getfixturevalue("handler")
        if username == "handler"
        else staff_without_role(username, estates=[estate])
    )

    with pytest.raises(ActionForbidden) as forbidden:
        log_complaint(actor, estate=estate)

    assert str(forbidden.value) == "Your role may not log complaints."
    assert forbidden.value.status == 403
    assert nothing_was_logged()


@pytest.mark.parametrize("actor", ["frontdesk", "supervisor", "manager"])
def test_front_desk_supervisors_and_managers_may_log(actor, request, estate):
    user = request.getfixturevalue(actor)

    assert log_complaint(user, estate=estate).logged_by == user


def test_the_received_time_may_run_a_little_ahead_of_the_server(frontdesk, estate):
    complaint = log_complaint(
        frontdesk, estate=estate, received_at=TUESDAY_10 + dt.timedelta(minutes=4)
    )

    assert complaint.received_at == TUESDAY_10


def test_a_complaint_may_be_entered_90_days_back(frontdesk, estate):
    ninety_days_ago = TUESDAY_10 - dt.timedelta(days=90)

    complaint = log_complaint(frontdesk, estate=estate, received_at=ninety_days_ago)

    assert complaint.received_at == ninety_days_ago
    assert complaint.reference == "TS-HY-251210-0001"


def test_the_contact_phone_is_normalised(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate, contact_phone="+86 138-1234-5678")

    assert complaint.contact_phone == "8613812345678"


def test_the_resident_s_phone_is_used_when_no_contact_phone_is_given(frontdesk, estate, unit):
    tenant = ResidentFactory(name="李雷", phone="139 0000 1111", units=[unit])

    complaint = log_complaint(
        frontdesk, estate=estate, unit=unit, resident=tenant, contact_name="", contact_phone=""
    )

    assert (complaint.contact_phone, complaint.complainant_name) == ("8613900001111", "李雷")


@pytest.mark.parametrize(
    ("code", "handover", "in_warranty"),
    [
        ("QUAL-LEAK", dt.date(2024, 6, 1), True),
        ("QUAL-LEAK", dt.date(2021, 3, 11), True),
        # The five years end on the anniversary of the handover.
        ("QUAL-LEAK", dt.date(2021, 3, 10), False),
        ("QUAL-LEAK", dt.date(2020, 1, 1), False),
        ("QUAL-MEP", dt.date(2023, 6, 1), False),
        ("QUAL-LEAK", None, None),
        ("FAC-LIFT", dt.date(2024, 6, 1), None),
    ],
)
def test_the_warranty_runs_from_the_unit_s_handover(
    code, handover, in_warranty, frontdesk, estate, unit
):
    unit.handover_date = handover
    unit.save()

    complaint = log_complaint(frontdesk, estate=estate, unit=unit, category=code)

    assert complaint.in_warranty is in_warranty


def test_the_warranty_is_unknown_without_a_unit(frontdesk, estate):
    assert log_complaint(frontdesk, estate=estate, category="QUAL-LEAK").in_warranty is None


def test_a_sub_type_s_warranty_overrides_its_parent_s(frontdesk, estate, unit):
    quality = category("QUAL")
    quality.warranty_years = 10
    quality.save()
    roof = Category.objects.create(code="QUAL-ROOF", parent=quality, name_zh="屋面", name_en="Roof")
    unit.handover_date = dt.date(2019, 1, 1)
    unit.save()

    leak = log_complaint(frontdesk, estate=estate, unit=unit, category="QUAL-LEAK")
    roof_leak = log_complaint(frontdesk, estate=estate, unit=unit, category=roof)

    assert (leak.in_warranty, roof_leak.in_warranty) == (False, True)


def test_the_warranty_is_judged_on_the_estate_s_local_date(clock, frontdesk, estate, unit):
    unit.handover_date = dt.date(2021, 3, 10)
    unit.save()
    # 17:00 UTC on the 9th is 01:00 on the 10th in Shanghai: the fifth anniversary.
    clock.move_to(dt.datetime(2026, 3, 9, 17, 0, tzinfo=dt.UTC))

    complaint = log_complaint(frontdesk, estate=estate, unit=unit, category="QUAL-LEAK")

    assert complaint.in_warranty is False


def assert_repeat_of(complaint: Complaint, earlier: Complaint) -> None:
    assert complaint.repeat_of == earlier
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1
    escalation = Escalation.objects.get(complaint=complaint)
    assert (escalation.level, escalation.reason, escalation.note, escalation.created_by) == (
        1,
        "repeat",
        earlier.reference,
        None,
    )
    event = complaint.events.get(kind="escalated")
    assert (event.actor, event.data["reason"], event.data["repeat_of"]) == (
        None,
        "repeat",
        earlier.reference,
    )
    # In the queue from the moment it was logged: no deadline behind it.
    assert escalation.overdue_since == escalation.created_at == event.at


def assert_not_a_repeat(complaint: Complaint) -> None:
    assert complaint.repeat_of is None
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 0
    assert not Escalation.objects.filter(complaint=complaint).exists()
    assert not complaint.events.filter(kind="escalated").exists()


def test_the_same_unit_complaining_again_about_the_same_category_is_a_repeat(
    frontdesk, estate, unit
):
    earlier = log_complaint(frontdesk, estate=estate, unit=unit, contact_name="王芳")

    again = log_complaint(
        frontdesk, estate=estate, unit=unit, contact_name="王先生", contact_phone="13900000000"
    )

    assert_repeat_of(again, earlier)


def test_the_same_resident_complaining_again_from_elsewhere_is_a_repeat(
    frontdesk, estate, unit, resident
):
    earlier = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident)

    # Same top-level category (FAC), another sub-type, no unit: a common area.
    again = log_complaint(frontdesk, estate=estate, resident=resident, category="FAC-LIGHT")

    assert_repeat_of(again, earlier)


def test_a_repeat_links_to_the_latest_earlier_complaint(clock, frontdesk, estate, unit):
    log_complaint(frontdesk, estate=estate, unit=unit)
    clock.shift(dt.timedelta(days=2))
    latest = log_complaint(frontdesk, estate=estate, unit=unit)
    clock.shift(dt.timedelta(days=2))

    again = log_complaint(frontdesk, estate=estate, unit=unit)

    assert again.repeat_of == latest


def test_another_category_is_not_a_repeat(frontdesk, estate, unit):
    log_complaint(frontdesk, estate=estate, unit=unit, category="FAC-LIFT")

    other = log_complaint(frontdesk, estate=estate, unit=unit, category="ENV-CLEAN")

    assert_not_a_repeat(other)


@pytest.mark.parametrize(("days", "is_repeat"), [(30, True), (31, False)])
def test_the_repeat_window_is_30_days(clock, days, is_repeat, frontdesk, estate, unit):
    earlier = log_complaint(frontdesk, estate=estate, unit=unit)
    clock.shift(dt.timedelta(days=days))

    again = log_complaint(frontdesk, estate=estate, unit=unit)

    if is_repeat:
        assert_repeat_of(again, earlier)
    else:
        assert_not_a_repeat(again)


def test_a_walk_in_without_unit_or_resident_is_never_a_repeat(frontdesk, estate):
    log_complaint(frontdesk, estate=estate)

    assert_not_a_repeat(log_complaint(frontdesk, estate=estate))


def test_the_same_resident_in_another_estate_is_not_a_repeat(
    supervisor, estate, other_estate, resident
):
    # An owner with a flat in each estate.
    Residency.objects.create(
        resident=resident, unit=UnitFactory(building=BuildingFactory(estate=other_estate))
    )
    log_complaint(supervisor, estate=other_estate, resident=resident)

    assert_not_a_repeat(log_complaint(supervisor, estate=estate, resident=resident))


def test_the_acknowledge_clock_starts_at_intake(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)

    [deadline] = complaint.deadlines.all()
    assert (deadline.kind, deadline.state, deadline.starts_at, deadline.due_at) == (
        DeadlineKind.ACKNOWLEDGE,
        DeadlineState.PENDING,
        TUESDAY_10,
        local(2026, 3, 10, 12, 0),
    )
    assert str(deadline.policy) == "* / normal"


def test_a_backdated_complaint_runs_its_clocks_from_when_it_was_received(frontdesk, estate):
    # Received on paper at 07:00, before opening; entered at 10:00.
    received = TUESDAY_10 - dt.timedelta(hours=3)

    complaint = log_complaint(frontdesk, estate=estate, received_at=received)

    assert (complaint.received_at, complaint.created_at) == (received, TUESDAY_10)
    acknowledge = complaint.deadlines.get(kind=DeadlineKind.ACKNOWLEDGE)
    assert (acknowledge.starts_at, acknowledge.due_at) == (received, local(2026, 3, 10, 10, 30))
    event = complaint.events.get(kind="created")
    assert (event.actor, event.at, event.data["backdated"]) == (frontdesk, TUESDAY_10, True)
    assert dt.datetime.fromisoformat(event.data["entered_at"]) == TUESDAY_10
    assert dt.datetime.fromisoformat(event.data["received_at"]) == received
