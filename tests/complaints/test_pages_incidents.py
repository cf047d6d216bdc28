"""The building-wide incidents' pages: the list, an incident's page with its three actions,
opening one (also from a complaint), and the incidents as the worklist and the complaint page
show them."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine

from complaints.models import Complaint, Incident, IncidentEvent, Stage
from complaints.services.incidents import IncidentInput, incident_act, incident_open
from tests.complaints.helpers import act, valid_data
from tests.complaints.page_helpers import (
    NOW,
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import BuildingFactory, UnitFactory, category, log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]

LATER = NOW + dt.timedelta(hours=6)  # 16:00 on the day


@pytest.fixture(autouse=True)
def _someone_to_tell(unit):
    """An incident reaches at least one unit, or it is refused: estate A has one."""


@pytest.fixture
def far_unit(other_estate):
    return UnitFactory(building=BuildingFactory(estate=other_estate, name="1号楼"))


def opened(actor, estate, *, title="3号楼停水", buildings=(), **fields) -> Incident:
    values = {
        "estate": estate,
        "category": category("FAC-UTIL"),
        "title": title,
        "notice": "供水管道抢修，预计下午四点恢复供水。",
        "expected_end": LATER,
        "buildings": tuple(buildings),
    }
    values.update(fields)
    return incident_open(actor=actor, data=IncidentInput(**values))


def linked(complaint: Complaint, supervisor, incident: Incident) -> Complaint:
    return act(complaint, supervisor, "link_incident", incident=incident.pk)


def in_resolution(complaint: Complaint, actor) -> Complaint:
    act(complaint, actor, "accept")
    return act(complaint, actor, "plan_resolution", **valid_data("plan_resolution"))


def listed(body: str) -> list[str]:
    return re.findall(r'data-testid="incident-row" data-reference="([^"]+)"', body)


def messages_of(body: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", html.unescape(m)).strip()
        for m in re.findall(r'data-testid="message">(.*?)</div>', body, re.S)
    ]


def state(incident: Incident) -> tuple:
    fresh = Incident.objects.get(pk=incident.pk)
    return (fresh.stage, fresh.version, fresh.notice, fresh.outcome, fresh.events.count())


# --- the list -------------------------------------------------------------------------------


def test_the_list_puts_open_incidents_first_newest_first(supervisor, frontdesk, estate):
    first = opened(supervisor, estate, title="停电")
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        second = opened(supervisor, estate, title="停水")
        third = opened(supervisor, estate, title="电梯停运")
    incident_act(
        incident_id=third.pk,
        actor=supervisor,
        action="resolve",
        data={"outcome": "已修复", "liability": "ours"},
    )

    body = text(signed_in(frontdesk).get("/incidents/"))

    assert listed(body) == [second.reference, first.reference, third.reference]
    row = body[body.index(f'data-reference="{second.reference}"') :]
    assert "停水" in row and "海悦花园" in row and "whole estate" in row
    assert "03/10/2026 4 p.m." in row


def test_the_list_shows_buildings_category_and_linked_complaints(
    supervisor, frontdesk, estate, unit
):
    incident = opened(supervisor, estate, buildings=[unit.building])
    for _ in range(2):
        linked(log_complaint(frontdesk, estate=estate, unit=unit), supervisor, incident)

    body = text(signed_in(frontdesk).get("/incidents/"))

    row = body[body.index(f'data-reference="{incident.reference}"') :]
    row = row[: row.index("</tr>")]
    assert "3号楼" in row and "whole estate" not in row
    assert 'data-testid="incident-complaints">2</td>' in row
    assert category("FAC-UTIL").top.name in row


def test_the_list_holds_only_the_estates_the_reader_covers_and_filters(
    supervisor, frontdesk, frontdesk_b, estate, other_estate, far_unit
):
    ours = opened(supervisor, estate)
    theirs = opened(supervisor, other_estate)
    done = opened(supervisor, estate, title="停电")
    incident_act(
        incident_id=done.pk,
        actor=supervisor,
        action="resolve",
        data={"outcome": "已恢复供电", "liability": "third_party"},
    )
    browser = signed_in(supervisor)

    assert listed(text(signed_in(frontdesk).get("/incidents/"))) == [
        ours.reference,
        done.reference,
    ]
    assert listed(text(signed_in(frontdesk_b).get("/incidents/"))) == [theirs.reference]
    assert set(listed(text(browser.get("/incidents/?estate=JD")))) == {theirs.reference}
    assert listed(text(browser.get("/incidents/?estate=HY&open=on"))) == [ours.reference]
    # An estate the reader does not cover is not a filter: left out, and said so.
    left_out = text(signed_in(frontdesk).get("/incidents/?estate=JD"))
    assert theirs.reference not in left_out
    assert listed(left_out) == [ours.reference, done.reference]
    assert (
        'data-testid="filter-errors"' in left_out and "Estate: Select a valid choice." in left_out
    )


def test_every_desk_role_reads_the_list_and_the_nav_leads_there(handler, frontdesk, estate):
    for user in (handler, frontdesk):
        body = text(signed_in(user).get("/complaints/"))
        assert re.search(r'href="/incidents/"[^>]*data-testid="incidents-link"', body)
        assert signed_in(user).get("/incidents/").status_code == 200
    assert 'data-testid="incident-new-link"' not in text(signed_in(frontdesk).get("/incidents/"))


# --- an incident's page ---------------------------------------------------------------------


def test_the_page_shows_the_notice_buildings_and_linked_complaints(
    supervisor, frontdesk, estate, unit
):
    incident = opened(supervisor, estate, buildings=[unit.building])
    complaint = linked(log_complaint(frontdesk, estate=estate, unit=unit), supervisor, incident)

    body = text(signed_in(frontdesk).get(f"/incidents/{incident.pk}/"))

    assert "供水管道抢修，预计下午四点恢复供水。" in body
    assert re.search(r'data-testid="buildings">\s*3号楼\s*</dd>', body)
    table = body[body.index('data-testid="linked-complaints"') :]
    assert f'href="/complaints/{complaint.reference}/">{complaint.reference}</a>' in table
    assert "3号楼2单元-1201" in table and "Intake" in table
    assert 'data-kind="opened"' in body and "Incident opened" in body
    # The clock of the incident: its acknowledge and resolution deadlines.
    assert body.count("<tr>", body.index('data-testid="deadlines"')) >= 2
    # The front desk reads; only supervisors change it.
    assert 'data-action="update"' not in body


def test_another_estates_incident_is_not_found(supervisor, frontdesk, other_estate, far_unit):
    theirs = opened(supervisor, other_estate)
    browser = signed_in(frontdesk)

    assert browser.get(f"/incidents/{theirs.pk}/").status_code == 404
    response = browser.post(f"/incidents/{theirs.pk}/actions/update/", {"notice": "改"})
    assert response.status_code == 404
    assert state(theirs)[1] == 1


def test_a_handler_sees_the_linked_complaints_of_their_department_and_a_count(
    supervisor, frontdesk, handler, estate, unit
):
    incident = opened(supervisor, estate)
    ours = in_resolution(log_complaint(frontdesk, estate=estate, unit=unit), frontdesk)  # ENG
    other = log_complaint(frontdesk, estate=estate, category="SEC-NOISE")
    linked(ours, supervisor, incident)
    linked(other, supervisor, incident)

    body = text(signed_in(handler).get(f"/incidents/{incident.pk}/"))

    assert ours.reference in body and other.reference not in body
    assert "1 more, handled by another department." in body


def test_updating_through_the_form_changes_the_notice_and_says_so(supervisor, estate):
    incident = opened(supervisor, estate)
    browser = signed_in(supervisor)
    page = text(browser.get(f"/incidents/{incident.pk}/"))
    assert 'data-action="update"' in page and 'data-action="resolve"' in page

    response = browser.post(
        f"/incidents/{incident.pk}/actions/update/",
        {
            "version": 1,
            "notice": "抢修延长，预计晚上八点恢复。",
            "expected_end": "2026-03-10T20:00",
        },
        follow=True,
    )

    fresh = Incident.objects.get(pk=incident.pk)
    assert fresh.notice == "抢修延长，预计晚上八点恢复。" and fresh.version == 2
    assert fresh.expected_end == NOW.replace(hour=20)
    assert messages_of(text(response)) == ["Done: Update the notice."]
    assert "抢修延长，预计晚上八点恢复。" in text(response)


def test_an_update_that_keeps_a_past_end_is_not_refused_for_it(supervisor, estate):
    incident = opened(supervisor, estate)
    with time_machine.travel(LATER + dt.timedelta(hours=1), tick=False):
        response = signed_in(supervisor).post(
            f"/incidents/{incident.pk}/actions/update/",
            {"version": 1, "notice": "仍在抢修。", "expected_end": "2026-03-10T16:00"},
        )
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).notice == "仍在抢修。"


def test_a_bad_update_shows_the_form_again_and_changes_nothing(supervisor, estate):
    incident = opened(supervisor, estate)
    before = state(incident)

    response = signed_in(supervisor).post(
        f"/incidents/{incident.pk}/actions/update/",
        {"version": 1, "notice": incident.notice, "expected_end": "2026-03-09T08:00"},
    )

    assert response.status_code == 400
    assert "Choose a time in the future." in text(response)
    assert re.search(r'<details class="desk-action mb-2" open data-action="update"', text(response))
    assert state(incident) == before


def test_resolving_through_the_form_moves_the_linked_complaints_on(
    supervisor, frontdesk, estate, unit
):
    incident = opened(supervisor, estate)
    complaint = in_resolution(log_complaint(frontdesk, estate=estate, unit=unit), frontdesk)
    linked(complaint, supervisor, incident)

    response = signed_in(supervisor).post(
        f"/incidents/{incident.pk}/actions/resolve/",
        {"version": 1, "outcome": "更换了水泵", "cause": "水泵老化", "liability": "ours"},
        follow=True,
    )

    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.stage, fresh.outcome, fresh.cause, fresh.liability) == (
        "resolved",
        "更换了水泵",
        "水泵老化",
        "ours",
    )
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.FOLLOW_UP
    body = text(response)
    assert messages_of(body) == ["Done: Resolve."]
    assert 'data-testid="outcome">更换了水泵</dd>' in body and "水泵老化 · Ours" in body
    assert complaint.reference in body[body.index('data-kind="resolve"') :]
    assert 'data-action="close"' in body and 'data-action="resolve"' not in body


def test_closing_through_the_form(supervisor, estate):
    incident = opened(supervisor, estate)
    incident_act(
        incident_id=incident.pk,
        actor=supervisor,
        action="resolve",
        data={"outcome": "已恢复", "liability": "ours"},
    )

    response = signed_in(supervisor).post(
        f"/incidents/{incident.pk}/actions/close/", {"version": 2, "note": "回访完毕"}, follow=True
    )

    fresh = Incident.objects.get(pk=incident.pk)
    assert fresh.stage == "closed" and fresh.closed_at == NOW
    assert messages_of(text(response)) == ["Done: Close."]
    assert 'data-action="close"' not in text(response)


def test_a_stale_version_is_refused_with_a_message_and_nothing_changes(supervisor, estate):
    incident = opened(supervisor, estate)
    incident_act(
        incident_id=incident.pk, actor=supervisor, action="update", data={"notice": "新通知"}
    )
    before = state(incident)

    response = signed_in(supervisor).post(
        f"/incidents/{incident.pk}/actions/resolve/",
        {"version": 1, "outcome": "已修复", "liability": "ours"},
        follow=True,
    )

    assert state(incident) == before
    assert messages_of(text(response)) == [
        "Someone else changed this incident meanwhile; here is its current state. "
        "Nothing was saved."
    ]


def test_resolving_twice_shows_the_refusal_and_changes_nothing(supervisor, estate):
    incident = opened(supervisor, estate)
    browser = signed_in(supervisor)
    body = {"outcome": "已修复", "liability": "ours"}
    first = browser.post(
        f"/incidents/{incident.pk}/actions/resolve/", {"version": 1, **body}, follow=True
    )
    assert messages_of(text(first)) == ["Done: Resolve."]
    before = state(incident)

    response = browser.post(
        f"/incidents/{incident.pk}/actions/resolve/",
        {"version": 2, **body, "outcome": "又修了一次"},
        follow=True,
    )

    assert state(incident) == before and before[0] == "resolved"
    assert messages_of(text(response)) == [
        "This incident is resolved already. Here is the incident's current state; "
        "nothing was saved."
    ]


def test_only_supervisors_change_an_incident(supervisor, frontdesk, handler, estate):
    incident = opened(supervisor, estate)
    for user in (frontdesk, handler):
        response = signed_in(user).post(
            f"/incidents/{incident.pk}/actions/update/", {"version": 1, "notice": "改"}
        )
        assert response.status_code == 403
    assert signed_in(supervisor).post(f"/incidents/{incident.pk}/actions/nope/").status_code == 404
    assert state(incident)[1:3] == (1, "供水管道抢修，预计下午四点恢复供水。")


# --- opening one ----------------------------------------------------------------------------


def _open_body(estate, **changes) -> dict:
    body = {
        "estate": estate.code,
        "category": "FAC-UTIL",
        "title": "2号楼停电",
        "notice": "配电房检修，预计下午恢复。",
        "expected_end": "2026-03-10T17:00",
    }
    return body | changes


def test_a_supervisor_opens_an_incident(supervisor, estate, unit):
    response = signed_in(supervisor).post(
        "/incidents/new/", _open_body(estate, buildings=[unit.building_id]), follow=True
    )

    incident = Incident.objects.get()
    assert (incident.title, incident.category.code) == ("2号楼停电", "FAC-UTIL")
    assert list(incident.buildings.all()) == [unit.building]
    assert incident.expected_end == NOW.replace(hour=17)
    assert response.redirect_chain == [(f"/incidents/{incident.pk}/", 302)]
    assert messages_of(text(response)) == [f"Incident {incident.reference} opened."]


def test_opening_is_for_supervisors(frontdesk, handler, estate):
    for user in (frontdesk, handler):
        assert signed_in(user).get("/incidents/new/").status_code == 403
        assert signed_in(user).post("/incidents/new/", _open_body(estate)).status_code == 403
    assert not Incident.objects.exists()


def test_opening_from_a_complaint_prefills_it_and_links_the_complaint(
    supervisor, frontdesk, estate, unit
):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit, category="FAC-UTIL")
    browser = signed_in(supervisor)

    form = text(browser.get(f"/incidents/new/?from={complaint.reference}"))

    assert 'data-testid="incident-source"' in form and complaint.reference in form
    assert re.search(r'<option value="HY" selected>', form)
    assert re.search(r'<option value="FAC-UTIL" selected>', form)
    assert re.search(rf'value="{unit.building_id}"[^>]*checked', form)
    assert f'name="source" value="{complaint.reference}"' in form

    response = browser.post(
        "/incidents/new/",
        _open_body(estate, buildings=[unit.building_id], source=complaint.reference),
        follow=True,
    )

    incident = Incident.objects.get()
    assert Complaint.objects.get(pk=complaint.pk).incident == incident
    assert complaint.events.filter(kind="link_incident").count() == 1
    assert messages_of(text(response)) == [
        f"Incident {incident.reference} opened; {complaint.reference} is linked to it."
    ]
    assert complaint.reference in text(response)


def test_a_complaint_that_cannot_be_linked_opens_nothing(supervisor, frontdesk, estate):
    complaint = act(log_complaint(frontdesk, estate=estate), frontdesk, "accept")
    act(complaint, frontdesk, "close_as_explained", **valid_data("close_as_explained"))

    response = signed_in(supervisor).post(
        "/incidents/new/", _open_body(estate, source=complaint.reference)
    )

    assert response.status_code == 400
    assert 'data-testid="form-errors"' in text(response)
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


def test_opening_from_a_complaint_one_cannot_see_is_not_found(supervisor, frontdesk_b, estate):
    theirs = log_complaint(frontdesk_b, estate=frontdesk_b.staff_member.estates.get())
    supervisor.staff_member.estates.set([estate])
    browser = signed_in(supervisor)

    assert browser.get(f"/incidents/new/?from={theirs.reference}").status_code == 404
    response = browser.post("/incidents/new/", _open_body(estate, source=theirs.reference))
    assert response.status_code == 404
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"expected_end": "2026-03-09T17:00"}, "expected_end", "Choose a time in the future."),
        ({"category": "NOPE"}, "category", "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_form_again_with_errors(supervisor, estate, changes, field, message):
    response = signed_in(supervisor).post("/incidents/new/", _open_body(estate, **changes))

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert message in text(response)
    assert not Incident.objects.exists()


def test_a_building_of_another_estate_is_refused(supervisor, estate, other_estate):
    foreign = BuildingFactory(estate=other_estate, name="9号楼")
    UnitFactory(building=foreign)

    response = signed_in(supervisor).post(
        "/incidents/new/", _open_body(estate, buildings=[foreign.pk])
    )

    assert response.status_code == 400
    assert response.context["form"].errors["buildings"] == [
        "Every building must be in the chosen estate."
    ]
    assert not Incident.objects.exists()


def test_a_building_the_reader_does_not_cover_is_not_a_choice(supervisor, estate, other_estate):
    foreign = BuildingFactory(estate=other_estate, name="9号楼")
    supervisor.staff_member.estates.set([estate])

    response = signed_in(supervisor).post(
        "/incidents/new/", _open_body(estate, buildings=[foreign.pk])
    )

    assert response.status_code == 400
    assert "is not one of the available choices" in str(response.context["form"].errors)
    assert not Incident.objects.exists()


# --- the worklist and the complaint page ----------------------------------------------------


def test_the_worklist_badges_linked_complaints(supervisor, frontdesk, estate, unit):
    incident = opened(supervisor, estate)
    complaint = linked(log_complaint(frontdesk, estate=estate, unit=unit), supervisor, incident)
    alone = log_complaint(frontdesk, estate=estate, summary="噪音")

    body = text(signed_in(frontdesk).get("/complaints/"))

    badges = re.findall(r'data-testid="incident-badge"[^>]*href="([^"]+)"[^>]*>([^<]+)<', body)
    assert badges == [(f"/incidents/{incident.pk}/", incident.reference)]
    row = body[body.index(f"/complaints/{complaint.reference}/") :]
    assert row.index("incident-badge") < row.index("</tr>")
    assert alone.reference in body


def test_the_worklist_groups_by_incident_with_the_unlinked_last(
    supervisor, frontdesk, estate, unit
):
    water = opened(supervisor, estate, title="停水")
    power = opened(supervisor, estate, title="停电")
    first = linked(log_complaint(frontdesk, estate=estate, unit=unit), supervisor, water)
    alone = log_complaint(frontdesk, estate=estate, summary="噪音")
    second = linked(log_complaint(frontdesk, estate=estate), supervisor, power)
    third = linked(log_complaint(frontdesk, estate=estate), supervisor, water)

    body = text(signed_in(frontdesk).get("/complaints/?group=incident"))

    heads = re.findall(r'data-testid="incident-group"[^>]*>(.*?)</th>', body, re.S)
    assert [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip() for h in heads] == [
        f"{water.reference} 停水 (2)",
        f"{power.reference} 停电 (1)",
        "Not linked to an incident (1)",
    ]
    order = [third, first, second, alone]  # newest first within each group
    positions = [body.index(f"/complaints/{c.reference}/") for c in order]
    assert positions == sorted(positions)
    # Without grouping: newest first, no group headings.
    plain = text(signed_in(frontdesk).get("/complaints/"))
    assert 'data-testid="incident-group"' not in plain


def test_the_complaint_page_shows_its_incident_and_notice(supervisor, frontdesk, estate, unit):
    incident = opened(supervisor, estate)
    complaint = linked(log_complaint(frontdesk, estate=estate, unit=unit), supervisor, incident)

    body = text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))

    panel = body[body.index('data-testid="complaint-incident"') :]
    assert re.search(rf'href="/incidents/{incident.pk}/">{incident.reference} 3号楼停水</a>', panel)
    assert "Linked to incident" in panel
    assert "供水管道抢修，预计下午四点恢复供水。" in panel
    assert "/incidents/new/?from=" not in body


def test_a_supervisor_may_open_an_incident_from_an_unlinked_complaint(
    supervisor, frontdesk, estate, unit
):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit)
    link = f'href="/incidents/new/?from={complaint.reference}"'

    assert link in text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/"))
    assert link not in text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))
    act(complaint, frontdesk, "accept")
    act(complaint, frontdesk, "close_as_explained", **valid_data("close_as_explained"))
    assert link not in text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/"))


def test_a_notice_alone_is_updated_though_the_end_stored_with_seconds_has_passed(
    supervisor, estate
):
    with_seconds = LATER + dt.timedelta(seconds=31, microseconds=5)  # as the API may store it
    incident = opened(supervisor, estate, expected_end=with_seconds)
    with time_machine.travel(LATER + dt.timedelta(hours=1), tick=False):
        shown = text(signed_in(supervisor).get(f"/incidents/{incident.pk}/"))
        shown_end = re.search(r'name="expected_end" value="([^"]+)"', shown)[1]
        response = signed_in(supervisor).post(
            f"/incidents/{incident.pk}/actions/update/",
            {"version": 1, "notice": "仍在抢修。", "expected_end": shown_end},
        )

    assert response.status_code == 302
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.notice, fresh.expected_end) == ("仍在抢修。", with_seconds)
    update = fresh.events.get(kind="update")
    assert "expected_end" not in update.data
