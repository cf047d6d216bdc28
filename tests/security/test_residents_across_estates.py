"""A resident's data stays within the estates a reader covers.

A resident may live in two estates (an owner with a flat in each). The residents' API shows a
reader only the units of their own estates, and intake refuses a resident who does not live in
the complaint's estate, or a unit of another estate: the complaint would show the resident's
name and full phone to the other estate's desk.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint
from tests.complaints.api_helpers import client_for
from tests.complaints.page_helpers import signed_in
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, log_complaint

pytestmark = pytest.mark.django_db

NOT_THERE = "This resident does not live in the chosen estate."


@pytest.fixture
def far_unit(other_estate):
    return UnitFactory(
        building=BuildingFactory(estate=other_estate, name="8号楼"), entrance="1", room="0808"
    )


@pytest.fixture
def owner_of_both(unit, far_unit):
    """An owner with a flat in each estate."""
    return ResidentFactory(name="王芳", phone="13812345678", units=[unit, far_unit])


@pytest.fixture
def resident_elsewhere(far_unit):
    """A resident of the second estate only."""
    return ResidentFactory(name="李雷", phone="13900001111", units=[far_unit])


def _labels(user, phone: str) -> dict[str, list[str]]:
    answer = client_for(user).get("/api/v1/residents/", {"phone": phone})
    assert answer.status_code == 200
    return {row["name"]: [u["label"] for u in row["units"]] for row in answer.json()}


def test_the_residents_api_lists_only_units_of_the_readers_estates(
    frontdesk, frontdesk_b, supervisor, owner_of_both
):
    assert _labels(frontdesk, "13812345678") == {"王芳": ["3号楼2单元-1201"]}
    assert _labels(frontdesk_b, "13812345678") == {"王芳": ["8号楼1单元-0808"]}
    assert _labels(supervisor, "13812345678") == {"王芳": ["3号楼2单元-1201", "8号楼1单元-0808"]}


def test_the_residents_api_by_name_hides_the_other_estates_units(frontdesk, owner_of_both):
    answer = client_for(frontdesk).get("/api/v1/residents/", {"q": "王芳"}).json()

    assert [(row["name"], [u["estate"] for u in row["units"]]) for row in answer] == [
        ("王芳", ["HY"])
    ]


def _intake(**changes) -> dict:
    body = {
        "estate": "HY",
        "channel": "phone",
        "category": "FAC-LIFT",
        "summary": "电梯停运",
        "account": "3号楼电梯从早上开始停运。",
    }
    return body | changes


def test_intake_through_the_api_refuses_a_resident_of_another_estate(
    supervisor, estate, resident_elsewhere
):
    # The supervisor covers both estates, so the resident is one they may pick at all.
    answer = client_for(supervisor).post(
        "/api/v1/complaints/", _intake(resident=resident_elsewhere.pk), format="json"
    )

    assert answer.status_code == 400
    assert answer.json() == {"resident": [NOT_THERE]}
    assert not Complaint.objects.exists()


def test_intake_through_the_api_refuses_a_unit_of_another_estate(supervisor, estate, far_unit):
    answer = client_for(supervisor).post(
        "/api/v1/complaints/",
        _intake(unit=far_unit.pk, contact_name="李雷", contact_phone="13900001111"),
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json() == {"unit": ["This unit is not in the chosen estate."]}
    assert not Complaint.objects.exists()


def test_a_desk_cannot_reach_a_resident_it_does_not_cover(frontdesk, estate, resident_elsewhere):
    answer = client_for(frontdesk).post(
        "/api/v1/complaints/", _intake(resident=resident_elsewhere.pk), format="json"
    )

    assert answer.status_code == 400
    assert list(answer.json()) == ["resident"]
    assert not Complaint.objects.exists()


def test_intake_on_the_page_refuses_a_resident_of_another_estate(
    supervisor, estate, unit, resident_elsewhere
):
    response = signed_in(supervisor).post(
        "/complaints/new/",
        {
            "estate": "HY",
            "building": str(unit.building_id),
            "unit": str(unit.pk),
            "resident": str(resident_elsewhere.pk),
            "channel": "phone",
            "category": "FAC-LIFT",
            "summary": "电梯停运",
            "account": "电梯从早上开始停运。",
            "desired_outcome": "repair",
        },
    )

    assert response.status_code == 400
    assert NOT_THERE in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_service_holds_python_callers_to_the_same_rule(supervisor, estate, resident_elsewhere):
    with pytest.raises(ValidationError) as refused:
        log_complaint(supervisor, estate=estate, resident=resident_elsewhere, contact_name="")

    assert refused.value.message_dict == {"resident": [NOT_THERE]}
    assert not Complaint.objects.exists()


def test_a_resident_of_both_estates_is_taken_in_either(
    supervisor, estate, other_estate, owner_of_both
):
    here = log_complaint(supervisor, estate=estate, resident=owner_of_both, contact_name="")
    there = log_complaint(supervisor, estate=other_estate, resident=owner_of_both, contact_name="")

    assert (here.estate.code, here.resident, here.contact_phone) == (
        "HY",
        owner_of_both,
        "8613812345678",
    )
    assert (there.estate.code, there.resident) == ("JD", owner_of_both)
