"""Intake at /complaints/new/ and its htmx helpers."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from complaints.models import Complaint, ComplaintEvent, Evidence
from notifications.models import Notification
from residents.selectors import resident_search
from tests.complaints.api_helpers import PDF_BYTES
from tests.complaints.helpers import SHANGHAI
from tests.complaints.page_helpers import (
    NOW,
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    png_bytes,
    signed_in,
    text,
    upload,
)
from tests.factories import BuildingFactory, UnitFactory, log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]
PDF = "application/pdf"


# --- intake ---------------------------------------------------------------------------------


def intake_data(unit, **overrides) -> dict:
    data = {
        "estate": "HY",
        "building": str(unit.building_id),
        "unit": str(unit.pk),
        "resident": "",
        "contact_name": "王芳",
        "contact_phone": "138 1234 5678",
        "channel": "phone",
        "category": "FAC-LIFT",
        "severity": "",
        "summary": "3号楼电梯停运",
        "account": "早上八点起电梯不动，家里有老人。",
        "desired_outcome": "repair",
        "received_at": "",
    }
    data.update(overrides)
    return data


def test_the_intake_form_is_ready_for_a_call(frontdesk, estate):
    body = text(signed_in(frontdesk).get("/complaints/new/"))
    assert 'id="lookup"' in body and "autofocus" in body.split('id="lookup"')[1].split(">")[0]
    for name in (
        "estate",
        "unit",
        "resident",
        "contact_name",
        "contact_phone",
        "channel",
        "category",
        "severity",
        "summary",
        "account",
        "desired_outcome",
        "received_at",
    ):
        assert f'name="{name}"' in body, name
    assert 'name="evidence"' in body and "multiple" in body.split('name="evidence"')[1][:80]
    assert '<optgroup label="Facilities and equipment">' in body
    assert '<option value="HY" selected>' in body  # the only estate the desk covers


@pytest.mark.parametrize("given", ["JD", "ZZ"])
def test_a_links_estate_the_desk_does_not_cover_leaves_hers_chosen(
    frontdesk, estate, other_estate, given
):
    body = text(signed_in(frontdesk).get("/complaints/new/", {"estate": given}))
    assert '<option value="HY" selected>' in body  # her only estate, as without the link
    assert f'value="{other_estate.code}"' not in body


def test_intake_saves_and_shows_the_reference(frontdesk, estate, unit):
    data = intake_data(unit)
    data["evidence"] = [upload("lift.png", png_bytes()), upload("quote.pdf", PDF_BYTES, PDF)]
    response = signed_in(frontdesk).post("/complaints/new/", data)
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/complaints/{complaint.reference}/?created=1"
    assert complaint.unit == unit and complaint.contact_phone == "8613812345678"
    assert complaint.severity == "normal" and complaint.logged_by == frontdesk
    assert list(complaint.evidence.values_list("original_name", flat=True)) == [
        "lift.png",
        "quote.pdf",
    ]
    added = ComplaintEvent.objects.filter(complaint=complaint, kind="evidence_added")
    assert sorted(event.data["name"] for event in added) == ["lift.png", "quote.pdf"]
    page = signed_in(frontdesk).get(response.headers["Location"])
    body = text(page)
    assert 'data-testid="created-reference">' + complaint.reference in body


@pytest.mark.parametrize(
    ("language", "refusal", "notice"),
    [
        (
            "en",
            "The file “bad.png” is not a photo (JPEG, PNG, GIF, WebP) or a PDF document.",
            "The complaint is not saved yet",
        ),
        ("zh-hans", "文件“bad.png”不是照片（JPEG、PNG、GIF、WebP）或 PDF 文档。", "投诉尚未保存"),
    ],
)
def test_a_refused_file_sends_the_form_back_and_saves_nothing(
    frontdesk, supervisor, estate, unit, language, refusal, notice
):
    data = intake_data(unit, severity="urgent", summary="电梯停运，老人被困")
    data["evidence"] = [upload("lift.png", png_bytes()), upload("bad.png", b"not a picture")]

    response = signed_in(frontdesk, language).post("/complaints/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["evidence"] == [refusal]
    body = text(response)
    assert refusal in body and notice in body
    assert 'value="电梯停运，老人被困"' in body  # nothing typed is lost
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists() and not Evidence.objects.exists()
    assert not Notification.objects.exists()  # an urgent complaint would have told supervisors
    # No reference was taken: the complaint saved next is the day's first.
    del data["evidence"]
    signed_in(frontdesk).post("/complaints/new/", data)
    assert Complaint.objects.get().reference == "TS-HY-260310-0001"
    assert Notification.objects.exists()


def test_intake_keeps_everything_typed_when_something_is_missing(frontdesk, estate, unit):
    data = intake_data(unit, account="", summary="电梯停运<b>", contact_name="王 芳")
    response = signed_in(frontdesk).post("/complaints/new/", data)
    assert response.status_code == 400
    body = text(response)
    assert not Complaint.objects.exists()
    assert 'value="电梯停运&lt;b&gt;"' in body and 'value="王 芳"' in body
    assert f'<option value="{unit.pk}" selected>' in body
    assert re.search(r'<option value="FAC-LIFT" selected[ >]', body)
    assert re.search(r'<textarea name="account"[^>]*is-invalid', body)
    assert response.context["form"].errors["account"] == ["This field is required."]


def test_intake_puts_the_services_objections_on_the_fields(frontdesk, estate, unit):
    tomorrow = (NOW + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = intake_data(unit, received_at=tomorrow, contact_name="", contact_phone="")
    response = signed_in(frontdesk).post("/complaints/new/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["received_at"] == ["The received time cannot be in the future."]
    assert "contact_name" in form.errors and "contact_phone" in form.errors
    assert f'value="{tomorrow}"' in text(response)


@pytest.mark.parametrize("building", ["12345678901234567890", "9223372036854775808", "-1"])
def test_a_building_no_row_can_be_sends_the_form_back(frontdesk, estate, unit, building):
    response = signed_in(frontdesk).post("/complaints/new/", intake_data(unit, building=building))

    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_a_summary_or_account_of_invisible_characters_is_refused(frontdesk, estate, unit):
    data = intake_data(unit, summary="\u200b", account="\u200b\u202e")
    response = signed_in(frontdesk).post("/complaints/new/", data)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["summary"] == ["Write the summary in visible characters."]
    assert form.errors["account"] == ["Write the account in visible characters."]
    assert not Complaint.objects.exists()


def test_a_back_dated_complaint_is_read_in_the_estates_zone(frontdesk, estate, unit):
    data = intake_data(unit, received_at="2026-03-09T16:30")
    signed_in(frontdesk).post("/complaints/new/", data)
    assert Complaint.objects.get().received_at == dt.datetime(2026, 3, 9, 16, 30, tzinfo=SHANGHAI)


def test_intake_is_for_the_front_desk(handler, estate):
    browser = signed_in(handler)
    assert browser.get("/complaints/new/").status_code == 403
    assert browser.get("/complaints/new/lookup/?lookup=138").status_code == 403


def test_the_lookup_finds_residents_and_units_in_the_users_estates(
    frontdesk, frontdesk_b, estate, unit, resident
):
    browser = signed_in(frontdesk)
    by_phone = text(browser.get("/complaints/new/lookup/?lookup=1381234"))
    assert "王芳" in by_phone and "138****5678" in by_phone and "13812345678" not in by_phone
    assert f"resident={resident.pk}" in by_phone
    by_unit = text(browser.get("/complaints/new/lookup/?lookup=1201"))
    assert f"pick=1&amp;unit={unit.pk}" in by_unit
    elsewhere = text(signed_in(frontdesk_b).get("/complaints/new/lookup/?lookup=王芳"))
    assert 'data-testid="no-match"' in elsewhere and "resident=" not in elsewhere


@pytest.mark.parametrize("typed", ["5678", "５６７８", "１３８１２３４"])
def test_the_lookup_reads_full_width_digits_of_a_phone(frontdesk, estate, unit, resident, typed):
    body = text(signed_in(frontdesk).get("/complaints/new/lookup/", {"lookup": typed}))
    assert f"resident={resident.pk}" in body and "王芳" in body
    assert [r.pk for r in resident_search(user=frontdesk, q=typed)] == [resident.pk]


def test_picking_a_resident_fills_the_unit_picker(frontdesk, estate, unit, resident):
    response = signed_in(frontdesk).get(
        f"/complaints/new/location/?pick=1&resident={resident.pk}&unit={unit.pk}"
    )
    body = text(response)
    assert response.headers["HX-Trigger-After-Swap"] == "location-changed"
    assert f'<option value="{unit.building_id}" selected>' in body
    assert f'<option value="{unit.pk}" selected>' in body
    assert f'name="resident" value="{resident.pk}"' in body
    assert 'data-testid="chosen-resident"' in body


def test_the_unit_picker_follows_the_building(frontdesk, estate, unit):
    other = UnitFactory(building=BuildingFactory(estate=estate, name="5号楼"), room="502")
    body = text(
        signed_in(frontdesk).get(
            f"/complaints/new/location/?estate=HY&building={other.building_id}"
        )
    )
    assert "5号楼1单元-502" in body and "3号楼2单元-1201" not in body


def test_the_repeat_warning_links_the_earlier_complaint(frontdesk, estate, unit):
    earlier = log_complaint(frontdesk, estate=estate, unit=unit, category="FAC-LIFT")
    browser = signed_in(frontdesk)
    warning = text(
        browser.get(f"/complaints/new/repeat/?estate=HY&unit={unit.pk}&category=FAC-ACCESS")
    )
    assert f'href="/complaints/{earlier.reference}/"' in warning
    other = text(
        browser.get(f"/complaints/new/repeat/?estate=HY&unit={unit.pk}&category=SEC-NOISE")
    )
    assert "repeat-warning" not in other


def _options(body: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', body, flags=re.S)
    assert select, body
    return re.findall(r"<option[^>]*>([^<]*)</option>", select[0])


def test_buildings_and_units_are_offered_in_natural_order(frontdesk, estate, unit):
    for name in ("10号楼", "1号楼", "2号楼", "12号楼"):
        BuildingFactory(estate=estate, name=name)
    for room in ("1001", "901", "101"):
        UnitFactory(building=unit.building, entrance="2", room=room)
    browser = signed_in(frontdesk)

    body = text(browser.get(f"/complaints/new/location/?estate=HY&building={unit.building_id}"))

    assert _options(body, "building")[1:] == ["1号楼", "2号楼", "3号楼", "10号楼", "12号楼"]
    assert _options(body, "unit")[1:] == [
        "3号楼2单元-101",
        "3号楼2单元-901",
        "3号楼2单元-1001",
        "3号楼2单元-1201",
    ]
    assert _options(text(browser.get("/complaints/new/?estate=HY")), "building")[1:] == [
        "1号楼",
        "2号楼",
        "3号楼",
        "10号楼",
        "12号楼",
    ]


def test_the_unit_lookup_lists_units_in_natural_order(frontdesk, estate, unit):
    for name in ("10号楼", "1号楼"):
        UnitFactory(building=BuildingFactory(estate=estate, name=name), entrance="2", room="1201")

    body = text(signed_in(frontdesk).get("/complaints/new/lookup/?lookup=1201"))

    found = re.findall(r"\d+号楼2单元-1201", body)
    assert list(dict.fromkeys(found)) == [
        "1号楼2单元-1201",
        "3号楼2单元-1201",
        "10号楼2单元-1201",
    ]


def test_the_unit_lookup_reads_the_callers_words_and_puts_the_chosen_building_first(
    frontdesk, estate, unit
):
    tens = BuildingFactory(estate=estate, name="10号楼")
    for building in (BuildingFactory(estate=estate, name="1号楼"), tens):
        UnitFactory(building=building, entrance="2", room="1201")
    desk = signed_in(frontdesk)

    spoken = text(desk.get("/complaints/new/lookup/?lookup=１０栋２单元１２０１"))
    chosen = text(desk.get(f"/complaints/new/lookup/?lookup=1201&building={tens.pk}"))

    assert re.findall(r"\d+号楼2单元-1201", spoken)[0] == "10号楼2单元-1201"
    assert re.findall(r"\d+号楼2单元-1201", chosen)[0] == "10号楼2单元-1201"


def test_a_paper_complaint_entered_late_is_told_which_deadlines_it_has_missed(frontdesk, estate):
    desk = signed_in(frontdesk)
    asked = {"estate": "HY", "category": "FAC-LIFT", "severity": "normal"}

    late = text(
        desk.get("/complaints/new/backdated/", {**asked, "received_at": "2026-03-05T09:00"})
    )
    today = text(
        desk.get("/complaints/new/backdated/", {**asked, "received_at": "2026-03-10T09:50"})
    )
    unread = text(desk.get("/complaints/new/backdated/", {**asked, "received_at": "昨天"}))

    assert late.count("data-kind-missed") == 3
    for kind in ("Acknowledge", "First callback", "Resolution"):
        assert re.search(rf"{kind}[^<]*: due", late, re.IGNORECASE), kind
    assert "Saving still works" in late
    assert "backdated-warning" not in today and "backdated-warning" not in unread


def test_the_warning_is_in_chinese_for_a_chinese_desk(frontdesk, estate):
    desk = signed_in(frontdesk, language="zh-hans")
    late = text(
        desk.get(
            "/complaints/new/backdated/",
            {"estate": "HY", "category": "FAC-LIFT", "received_at": "2026-03-05T09:00"},
        )
    )
    assert "仍可保存" in late
