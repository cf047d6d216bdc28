"""The intake page's incidents panel (SPEC §9.3): once the unit and the category are chosen,
the open incidents over the unit with their notices, the chosen category's first, and one radio
button to link the new complaint; the complaint page and the receipt then name the incident."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from complaints.models import Complaint
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from tests.complaints.page_helpers import (
    NOW,
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.complaints.test_pages_intake import intake_data
from tests.factories import BuildingFactory, UnitFactory, category, log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]
PANEL = "/complaints/new/incidents/"


def opened(actor, estate, buildings=(), *, code="FAC-UTIL", title="3号楼停水", minutes=30):
    """An incident opened ``minutes`` before now, expected to end at four in the afternoon."""
    with time_machine.travel(NOW - dt.timedelta(minutes=minutes), tick=False):
        return incident_open(
            actor=actor,
            data=IncidentInput(
                estate=estate,
                category=category(code),
                title=title,
                notice="供水管道抢修，预计下午四点恢复供水。",
                expected_end=NOW.replace(hour=16),
                buildings=tuple(buildings),
            ),
        )


def references(body: str) -> list[str]:
    return re.findall(r'data-testid="incident-reference">([^<]+)<', body)


def test_the_panel_lists_the_incidents_over_the_unit_with_their_notices(
    supervisor, frontdesk, estate, unit
):
    water = opened(supervisor, estate, [unit.building], minutes=60)
    lift = opened(supervisor, estate, [unit.building], code="FAC-LIFT", title="3号楼电梯停运")
    far = UnitFactory(building=BuildingFactory(estate=estate, name="9号楼"))
    opened(supervisor, estate, [far.building])  # over another building

    body = text(signed_in(frontdesk).get(PANEL, {"unit": unit.pk, "category": "FAC-UTIL"}))

    assert references(body) == [water.reference, lift.reference]  # the chosen category first
    assert "3号楼停水" in body and "3号楼电梯停运" in body
    assert body.count("供水管道抢修，预计下午四点恢复供水。") == 2
    assert body.count("Expected to end by 03/10/2026 4 p.m.") == 2
    assert f'type="radio" name="incident" value="{water.pk}"' in body
    assert re.search(rf'value="{water.pk}"[^>]*data-incident-key', body)
    assert not re.search(rf'value="{lift.pk}"[^>]*data-incident-key', body)
    assert re.search(r'id="incident-none"[^>]* checked', body)  # nothing linked until chosen
    assert "Alt+L links it to the first incident below" in body
    assert "Not linked to a building-wide incident" in body


def test_the_panel_keeps_the_incident_chosen_before(supervisor, frontdesk, estate, unit):
    water = opened(supervisor, estate, [unit.building])
    browser = signed_in(frontdesk)

    body = text(browser.get(PANEL, {"unit": unit.pk, "category": "FAC", "incident": water.pk}))

    assert re.search(rf'value="{water.pk}"[^>]* checked', body)
    assert not re.search(r'id="incident-none"[^>]* checked', body)
    assert f"Linked to {water.reference} 3号楼停水" in body


@pytest.mark.parametrize("query", [{"category": "FAC-UTIL"}, {"unit": "{unit}"}])
def test_without_a_unit_or_a_category_the_panel_is_empty(
    supervisor, frontdesk, estate, unit, query
):
    opened(supervisor, estate)
    query = {key: value.format(unit=unit.pk) for key, value in query.items()}

    response = signed_in(frontdesk).get(PANEL, query)

    assert response.status_code == 200
    assert text(response).strip() == ""


def test_a_unit_of_an_estate_the_desk_does_not_cover_is_404(frontdesk, other_estate):
    far = UnitFactory(building__estate=other_estate)

    response = signed_in(frontdesk).get(PANEL, {"unit": far.pk, "category": "FAC-UTIL"})

    assert response.status_code == 404


def test_saving_links_the_complaint_and_its_page_and_receipt_say_so(
    supervisor, frontdesk, estate, unit
):
    water = opened(supervisor, estate, [unit.building])
    browser = signed_in(frontdesk)

    saved = browser.post(
        "/complaints/new/", intake_data(unit, category="FAC-UTIL", incident=str(water.pk))
    )

    complaint = Complaint.objects.get()
    assert saved.status_code == 302
    assert complaint.incident == water
    page = text(browser.get(saved.headers["Location"]))
    linked = re.search(r'data-testid="linked-incident">([^<]+)<', page)
    assert linked and linked[1].strip() == f"Linked to {water.reference} 3号楼停水"
    assert f"<dt>building-wide incident</dt><dd>{water.reference}</dd>" in page  # the timeline
    receipt = text(browser.get(f"/complaints/{complaint.reference}/receipt/"))
    assert f"Linked to {water.reference} 3号楼停水" in receipt


def test_an_unlinked_complaint_names_no_incident(frontdesk, estate, unit):
    saved = signed_in(frontdesk).post("/complaints/new/", intake_data(unit, incident=""))

    assert saved.status_code == 302
    assert Complaint.objects.get().incident_id is None
    assert "linked-incident" not in text(signed_in(frontdesk).get(saved.headers["Location"]))


def test_an_incident_over_another_building_sends_the_form_back_with_the_right_ones(
    supervisor, frontdesk, estate, unit
):
    here = opened(supervisor, estate, [unit.building])
    other = BuildingFactory(estate=estate, name="9号楼")
    UnitFactory(building=other)
    there = opened(supervisor, estate, [other], title="9号楼停电")

    response = signed_in(frontdesk).post(
        "/complaints/new/", intake_data(unit, category="FAC-UTIL", incident=str(there.pk))
    )

    assert response.status_code == 400
    assert not Complaint.objects.exists()
    assert response.context["form"].errors["incident"] == [
        "That incident does not cover this unit's building."
    ]
    body = text(response)
    assert 'data-testid="incident-error"' in body
    # Drawn with the page, for a browser without scripts: the incidents over the unit.
    assert references(body) == [here.reference]


def test_a_resolved_incident_is_refused_on_the_form(supervisor, frontdesk, estate, unit):
    water = opened(supervisor, estate, [unit.building])
    incident_act(
        incident_id=water.pk,
        actor=supervisor,
        action="resolve",
        data={"outcome": "已恢复供水", "liability": "utility"},
    )

    response = signed_in(frontdesk).post(
        "/complaints/new/", intake_data(unit, incident=str(water.pk))
    )

    assert response.status_code == 400
    assert response.context["form"].errors["incident"] == ["That incident is no longer open."]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("number", ["99999999999999999999999", "-1", "GG-HY-260310-1"])
def test_an_incident_or_unit_no_row_can_be_is_refused_without_an_error(
    frontdesk, estate, unit, number
):
    browser = signed_in(frontdesk)

    panel = browser.get(PANEL, {"unit": number, "category": "FAC-UTIL"})
    saved = browser.post("/complaints/new/", intake_data(unit, incident=number))
    nowhere = browser.post(
        "/complaints/new/", {**intake_data(unit, incident=number), "unit": number}
    )

    assert panel.status_code == 400
    assert text(panel).startswith("unit: Enter a whole number")
    assert saved.status_code == nowhere.status_code == 400
    assert saved.context["form"].errors["incident"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert "incident" in nowhere.context["form"].errors
    assert not Complaint.objects.exists()


def test_the_repeat_warning_says_a_second_call_about_the_same_incident_is_not_escalated(
    supervisor, frontdesk, estate, unit
):
    water = opened(supervisor, estate, [unit.building])
    first = log_complaint(frontdesk, estate=estate, unit=unit, category="FAC-UTIL", incident=water)
    desk = signed_in(frontdesk)
    asked = {"estate": estate.code, "unit": unit.pk, "category": "FAC-UTIL"}

    linked = text(desk.get("/complaints/new/repeat/", {**asked, "incident": water.pk}))
    unlinked = text(desk.get("/complaints/new/repeat/", asked))

    assert first.reference in linked and first.reference in unlinked
    assert "is about the same building-wide incident" in linked
    assert "not escalated" in linked and "escalation level 1" not in linked
    assert "starts it at escalation level 1" in unlinked
