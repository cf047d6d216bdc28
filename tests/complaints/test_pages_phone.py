"""/my/: the handler's phone. Three lists within the usual visibility rule, one tap to take,
mark resolved with the photos of the work attached to the action's event, small pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint, ComplaintEvent, Evidence
from tests.complaints.helpers import act, complaint_at, snapshot, valid_data
from tests.complaints.page_helpers import NOW, png_bytes, signed_in, text, upload
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 100 * 1024
ASSET = re.compile(r'(?:href|src)="/static/([^"?]+)"')


@pytest.fixture
def office_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(office_clock, frontdesk, estate, handler):
    """Engineering's complaints: one late and one fresh to take, one taken by the handler;
    and one of security & order, which the handler does not see."""
    office_clock.move_to(NOW - dt.timedelta(days=2))
    late = complaint_at("resolution", actor=frontdesk, estate=estate, summary="地库渗水")
    office_clock.move_to(NOW)
    fresh = complaint_at("resolution", actor=frontdesk, estate=estate, summary="门禁失灵")
    mine = complaint_at("resolution", actor=frontdesk, estate=estate, summary="电梯异响")
    mine = act(mine, handler, "take")
    sec = complaint_at("clarification", actor=frontdesk, estate=estate, summary="车位被占")
    sec = act(
        sec, frontdesk, "plan_resolution", **{**valid_data("plan_resolution"), "department": "SEC"}
    )
    return {"late": late, "fresh": fresh, "mine": mine, "sec": sec}


def _group(page: str, name: str) -> str:
    return page.split(f'data-group="{name}"', 1)[1].split("</section>", 1)[0]


def _refs(section: str) -> set[str]:
    return set(re.findall(r'data-reference="([^"]+)"', section))


def page_weight(response) -> int:
    """The HTML and, read as a first visit would, every stylesheet and script it names."""
    page = text(response)
    assets = set(ASSET.findall(page))
    total = len(response.content)
    for asset in assets:
        found = finders.find(asset)
        assert found, asset
        total += Path(found).stat().st_size
    return total


def test_the_three_lists_hold_the_departments_open_complaints(desk, handler):
    page = text(signed_in(handler).get("/my/"))

    refs = {name: c.reference for name, c in desk.items()}
    assert _refs(_group(page, "to_take")) == {refs["late"], refs["fresh"]}
    assert _refs(_group(page, "mine")) == {refs["mine"]}
    assert _refs(_group(page, "overdue")) == {refs["late"]}
    assert refs["sec"] not in page
    to_take = _group(page, "to_take")
    assert "地库渗水" in to_take and "3号楼" not in to_take  # logged without a unit
    assert "Common area" in to_take
    assert re.search(r"phone-late\">[^<]*overdue", _group(page, "overdue"))
    assert f'href="/my/{refs["fresh"]}/"' in page


def test_the_lists_read_in_the_staff_members_language(desk, handler):
    page = text(signed_in(handler, "zh-hans").get("/my/"))

    assert '<html lang="zh-hans">' in page
    for heading in ("待接单", "我处理的", "超时", "接单"):
        assert heading in page


def test_one_tap_takes_it_from_the_list(desk, handler):
    client = signed_in(handler)
    complaint = desk["fresh"]

    response = client.post(
        f"/my/{complaint.reference}/actions/take/",
        {"version": complaint.version, "back": "list"},
        follow=True,
    )

    assert response.redirect_chain == [("/my/", 302)]
    assert "Done: Take it on." in text(response)
    assert Complaint.objects.get(pk=complaint.pk).assignee == handler
    assert complaint.reference in _group(text(response), "mine")


def test_taking_from_an_old_page_changes_nothing(desk, handler):
    complaint = desk["fresh"]
    before = snapshot(complaint)

    response = signed_in(handler).post(
        f"/my/{complaint.reference}/actions/take/",
        {"version": complaint.version - 1},
        follow=True,
    )

    assert response.redirect_chain == [(f"/my/{complaint.reference}/", 302)]
    assert "Someone else changed this complaint meanwhile" in text(response)
    assert snapshot(complaint) == before


def test_the_complaint_page_offers_what_a_handler_does_on_site(desk, handler):
    page = text(signed_in(handler).get(f"/my/{desk['mine'].reference}/"))

    assert set(re.findall(r'data-action="(\w+)"', page)) == {"mark_resolved", "add_note"}
    assert 'accept="image/*" capture="environment" multiple' in page
    assert 'enctype="multipart/form-data"' in page
    assert "电梯异响" in page
    to_take = text(signed_in(handler).get(f"/my/{desk['fresh'].reference}/"))
    assert 'data-testid="take"' in to_take


def _resolve(client, complaint, photos):
    return client.post(
        f"/my/{complaint.reference}/actions/mark_resolved/",
        {**valid_data("mark_resolved"), "version": complaint.version, "photos": photos},
    )


def test_mark_resolved_with_photos_attaches_them_to_its_event(desk, handler):
    complaint = desk["mine"]
    photos = [upload("before.png", png_bytes()), upload("after.png", png_bytes())]

    response = _resolve(signed_in(handler), complaint, photos)

    assert response.status_code == 302
    assert response["Location"] == f"/my/{complaint.reference}/"
    complaint.refresh_from_db()
    assert complaint.stage == "follow_up"
    assert complaint.outcome == "更换了控制板"
    event = ComplaintEvent.objects.get(complaint=complaint, kind="mark_resolved")
    evidence = list(Evidence.objects.filter(complaint=complaint).order_by("id"))
    assert [(e.original_name, e.event_id, e.uploaded_by) for e in evidence] == [
        ("before.png", event.pk, handler),
        ("after.png", event.pk, handler),
    ]
    added = ComplaintEvent.objects.filter(complaint=complaint, kind="evidence_added")
    assert sorted(e.data["evidence"] for e in added) == [e.pk for e in evidence]
    assert {e.data["sent_with"] for e in added} == {"mark_resolved"}
    timeline = text(signed_in(handler).get(f"/complaints/{complaint.reference}/"))
    assert timeline.count("sent with") == 2


def _stored_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def test_a_bad_photo_refuses_the_lot_and_names_the_file(desk, handler):
    complaint = desk["mine"]
    before, files = snapshot(complaint), _stored_files()
    photos = [upload("before.png", png_bytes()), upload("后.png", b"not a picture at all")]

    response = _resolve(signed_in(handler), complaint, photos)

    assert response.status_code == 400
    assert "The file “后.png” is not a photo (JPEG, PNG, GIF, WebP) or a PDF document." in text(
        response
    )
    assert snapshot(complaint) == before
    assert not Evidence.objects.filter(complaint=complaint).exists()
    assert _stored_files() == files


def test_a_note_from_the_phone(desk, handler):
    complaint = desk["mine"]

    response = signed_in(handler).post(
        f"/my/{complaint.reference}/actions/add_note/",
        {"text": "已到现场", "version": complaint.version},
    )

    assert response.status_code == 302
    assert complaint.events.filter(kind="add_note", note="已到现场").exists()


def test_an_action_of_the_desk_is_not_taken_from_the_phone(desk, handler):
    complaint = desk["mine"]
    before = snapshot(complaint)

    response = signed_in(handler).post(
        f"/my/{complaint.reference}/actions/log_callback/", {"reached": "true", "note": "x"}
    )

    assert response.status_code == 403
    assert snapshot(complaint) == before


@pytest.mark.parametrize("role", ["front_desk", "supervisor", "manager"])
def test_only_handlers_use_the_phone_pages(desk, estate, role):
    user = make_staff(f"someone_{role}", role=role, department="CS", estates=[estate])

    client = signed_in(user)

    assert client.get("/my/").status_code == 403
    assert client.get(f"/my/{desk['mine'].reference}/").status_code == 403


def test_a_lead_uses_them_too_and_sees_only_the_department(desk, handler):
    handler.staff_member.lead = True
    handler.staff_member.save(update_fields=["lead"])

    client = signed_in(handler)

    assert client.get("/my/").status_code == 200
    assert client.get(f"/my/{desk['sec'].reference}/").status_code == 404


def test_the_bell_shows_the_unread_count_on_the_top_bar(desk, handler):
    page = text(signed_in(handler).get("/my/"))

    # Each hand-over to engineering told the handler in the app.
    assert re.search(r'data-testid="unread-badge">[1-9]', page)


def test_the_desks_bell_is_outside_the_collapsing_menu(desk, handler):
    page = text(signed_in(handler).get("/complaints/"))

    assert page.index('data-testid="unread-badge"') < page.index('id="desk-nav"')


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_phone_page_weighs_under_100_kb(desk, handler, language):
    client = signed_in(handler, language)
    pages = {
        "list": client.get("/my/"),
        "to take": client.get(f"/my/{desk['fresh'].reference}/"),
        "mine": client.get(f"/my/{desk['mine'].reference}/"),
    }

    weights = {name: page_weight(response) for name, response in pages.items()}

    assert all(r.status_code == 200 for r in pages.values())
    assert max(weights.values()) < PAGE_BUDGET, weights


def test_no_phone_action_without_the_csrf_token(desk, handler):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(handler)
    complaint = desk["mine"]
    before = snapshot(complaint)
    bodies = {
        "take": {},
        "add_note": {"text": "伪造"},
        "mark_resolved": {**valid_data("mark_resolved"), "photos": upload("a.png", png_bytes())},
    }

    for action, body in bodies.items():
        url = f"/my/{complaint.reference}/actions/{action}/"
        assert browser.post(url, {**body, "version": complaint.version}).status_code == 403
        assert browser.get(url).status_code == 405
    assert snapshot(complaint) == before
    assert not Evidence.objects.filter(complaint=complaint).exists()


def test_the_list_reads_in_a_bounded_number_of_queries(desk, handler, frontdesk, estate):
    client = signed_in(handler)
    with CaptureQueriesContext(connection) as few:
        client.get("/my/")
    for _ in range(5):
        complaint_at("resolution", actor=frontdesk, estate=estate)

    with CaptureQueriesContext(connection) as more:
        response = client.get("/my/")

    assert len(_refs(_group(text(response), "to_take"))) == 7
    assert len(more.captured_queries) == len(few.captured_queries)
