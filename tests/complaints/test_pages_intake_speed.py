"""The intake form at the speed of a call: the category's options carry what the type-ahead
matches (code, pinyin initials, suggested severity, the estate's most frequent first), the
summary may be left to the account, and the received time waits behind its toggle."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from complaints.forms.category import category_frequencies, most_frequent_first
from complaints.forms.intake import summary_from_account
from complaints.models import Category, Complaint
from tests.complaints.page_helpers import (
    NOW,
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.complaints.test_pages_intake import intake_data
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, log_complaint, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


def option(body: str, code: str) -> str:
    found = re.search(rf'<option value="{code}"[^>]*>', body)
    assert found, f"no option {code}"
    return found.group(0)


def test_each_category_option_carries_its_initials_and_suggested_severity(frontdesk, estate):
    body = text(signed_in(frontdesk, "zh-hans").get("/complaints/new/"))

    assert re.search(r'<select name="category"[^>]*data-typeahead', body)
    leak = option(body, "QUAL-LEAK")
    assert 'data-initials="sl l"' in leak  # 渗漏, Leaks
    assert 'data-severity="一般"' in leak
    assert 'data-group="房屋质量"' in leak
    assert 'data-initials="zx fo"' in option(body, "QUAL-FITOUT")  # 装修, Fit-out
    assert 'data-placeholder="代码、名称或拼音首字母"' in body


def test_the_estates_most_frequent_categories_are_ranked_first(
    frontdesk, frontdesk_b, estate, other_estate, unit
):
    for code in ("SEC-NOISE", "SEC-NOISE", "SEC-NOISE", "QUAL-LEAK", "QUAL-LEAK", "FAC-LIFT"):
        log_complaint(frontdesk, estate=estate, unit=unit, category=code)
    # Another estate's complaints say nothing of what this desk hears most.
    for _ in range(5):
        log_complaint(frontdesk_b, estate=other_estate, category="ENV-PEST")

    body = text(signed_in(frontdesk).get("/complaints/new/"))

    assert 'data-rank="1"' in option(body, "SEC-NOISE")
    assert 'data-rank="2"' in option(body, "QUAL-LEAK")
    assert 'data-rank="3"' in option(body, "FAC-LIFT")
    assert "data-rank" not in option(body, "ENV-PEST")
    # A desk of one estate has one order: the one drawn.
    assert "data-estate-ranks" not in body


def ranked(body: str) -> list[str]:
    """The codes of the options with a rank, in the order of their ranks."""
    ranks = re.findall(r'<option value="([^"]+)"[^>]*? data-rank="(\d+)"', body)
    return [code for code, _rank in sorted(ranks, key=lambda pair: int(pair[1]))]


@pytest.fixture
def desk_of_two_estates(estate, other_estate):
    return make_staff(
        "frontdesk_ab", role="front_desk", department="CS", estates=[estate, other_estate]
    )


def test_a_desk_of_several_estates_ranks_the_categories_of_the_estate_of_the_form(
    desk_of_two_estates, estate, other_estate, unit
):
    for code in ("SEC-NOISE", "SEC-NOISE", "QUAL-LEAK"):
        log_complaint(desk_of_two_estates, estate=estate, unit=unit, category=code)
    for code in ("ENV-PEST",) * 4 + ("QUAL-LEAK",) * 2:
        log_complaint(desk_of_two_estates, estate=other_estate, category=code)
    browser = signed_in(desk_of_two_estates)

    haiyue = text(browser.get("/complaints/new/?estate=HY"))
    jindu = text(browser.get("/complaints/new/?estate=JD"))
    both = text(browser.get("/complaints/new/"))

    assert re.search(r'<option value="HY" selected>', haiyue)
    assert ranked(haiyue) == ["SEC-NOISE", "QUAL-LEAK"]
    assert re.search(r'<option value="JD" selected>', jindu)
    assert ranked(jindu) == ["ENV-PEST", "QUAL-LEAK"]
    # No estate chosen yet: the desk's estates together.
    assert ranked(both) == ["ENV-PEST", "QUAL-LEAK", "SEC-NOISE"]
    # Each estate's ranks, for the type-ahead to follow the estate the desk chooses.
    for body in (haiyue, jindu, both):
        assert 'data-estate-ranks="HY:2 JD:2"' in option(body, "QUAL-LEAK")
        assert 'data-estate-ranks="HY:1"' in option(body, "SEC-NOISE")
        assert 'data-estate-ranks="JD:1"' in option(body, "ENV-PEST")
        assert 'data-estate-ranks=""' in option(body, "FAC-LIFT")
    # Sent back with an error, the form keeps the order of the estate it was sent for.
    refused = browser.post("/complaints/new/", intake_data(unit, account=""))
    assert refused.status_code == 400
    assert ranked(text(refused)) == ["SEC-NOISE", "QUAL-LEAK"]


def test_each_estates_most_frequent_are_read_from_its_own_latest_complaints(
    desk_of_two_estates, estate, other_estate, unit, monkeypatch
):
    monkeypatch.setattr("complaints.forms.category.FREQUENCY_SAMPLE", 3)
    hours_ago = iter(range(20, 0, -1))

    def log(place, code: str) -> None:
        received_at = NOW - dt.timedelta(hours=next(hours_ago))
        log_complaint(desk_of_two_estates, estate=place, category=code, received_at=received_at)

    # Older than Haiyue's latest three: no longer what its desk hears most.
    for code in ("ENV-PEST", "ENV-PEST", "ENV-PEST", "SEC-NOISE", "FAC-LIFT", "FAC-LIFT"):
        log(estate, code)
    # Fewer than three: all of Jindu's count, however old.
    log(other_estate, "QUAL-LEAK")

    frequencies = category_frequencies([estate.pk, other_estate.pk])

    codes = dict(Category.objects.values_list("pk", "code"))
    assert [codes[pk] for pk in most_frequent_first(frequencies["HY"])] == [
        "FAC-LIFT",
        "SEC-NOISE",
    ]
    assert [codes[pk] for pk in most_frequent_first(frequencies["JD"])] == ["QUAL-LEAK"]


def test_the_category_comes_before_severity_and_the_received_time_is_behind_a_toggle(
    frontdesk, estate
):
    body = text(signed_in(frontdesk, "zh-hans").get("/complaints/new/"))

    order = [body.index(f'name="{name}"') for name in ("category", "account", "severity")]
    assert order == sorted(order)
    received = re.search(
        r"<details[^>]*data-testid=\"received-toggle\"[^>]*>(.*?)</details>", body, re.S
    )
    assert received and 'name="received_at"' in received.group(1)
    assert " open" not in received.group(0).split(">")[0]
    assert "补录" in received.group(1)


def test_a_received_time_sent_back_with_an_error_opens_the_toggle(frontdesk, estate, unit):
    data = intake_data(unit, received_at="2099-01-01T10:00")
    response = signed_in(frontdesk).post("/complaints/new/", data)

    assert response.status_code == 400
    assert re.search(r'<details[^>]* open[^>]*data-testid="received-toggle"', text(response))


def test_a_summary_left_empty_is_the_start_of_the_account(frontdesk, estate, unit):
    data = intake_data(unit, summary="", account="楼上漏水\n卫生间天花板一直滴水，已经两天了。")
    response = signed_in(frontdesk).post("/complaints/new/", data)

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.summary == "楼上漏水"
    assert complaint.account.startswith("楼上漏水\n")


def test_a_summary_and_an_account_both_empty_are_refused(frontdesk, estate, unit):
    response = signed_in(frontdesk).post(
        "/complaints/new/", intake_data(unit, summary="", account="")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["account"] == ["This field is required."]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("account", "summary"),
    [
        ("  \n  Water   through the ceiling  \nmore", "Water through the ceiling"),
        ("漏" * 80, "漏" * 59 + "…"),
        (
            "The water comes through the bathroom ceiling every evening since the flat above "
            "was renovated",
            "The water comes through the bathroom ceiling every evening…",
        ),
    ],
)
def test_the_summary_from_an_account_is_its_first_line_in_short(account, summary):
    assert summary_from_account(account) == summary
    assert len(summary_from_account(account)) <= 60


# --- what the form says before saving agrees with what saving does ---------------------------

BACKDATED = {"estate": "HY", "category": "FAC-LIFT", "severity": "normal"}


@pytest.mark.parametrize(
    ("received_at", "said"),
    [
        ("2025-11-01T09:00", "Complaints can be entered up to 90 days back."),
        ("2026-03-11T09:00", "The received time cannot be in the future."),
    ],
)
def test_a_received_time_intake_would_refuse_is_said_so_not_warned_about(
    frontdesk, estate, received_at, said
):
    body = text(
        signed_in(frontdesk).get(
            "/complaints/new/backdated/", {**BACKDATED, "received_at": received_at}
        )
    )

    assert "backdated-refusal" in body and said in body
    assert "Saving still works" not in body


@pytest.mark.parametrize(
    "received_at", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-01T00:00"]
)
def test_a_received_time_at_the_ends_of_the_calendar_is_no_server_error(
    frontdesk, estate, unit, received_at
):
    desk = signed_in(frontdesk)
    asked = {**BACKDATED, "received_at": received_at, "unit": unit.pk}

    backdated = desk.get("/complaints/new/backdated/", asked)
    repeat = desk.get("/complaints/new/repeat/", asked)

    assert (backdated.status_code, repeat.status_code) == (200, 200)
    assert "Saving still works" not in text(backdated)


def test_the_repeat_warning_judges_a_paper_complaint_by_when_it_was_received(
    frontdesk, estate, unit
):
    log_complaint(frontdesk, estate=estate, unit=unit, category="FAC-LIFT")  # received now
    desk = signed_in(frontdesk)
    asked = {"estate": "HY", "unit": unit.pk, "category": "FAC-LIFT"}

    now = text(desk.get("/complaints/new/repeat/", asked))
    before = text(desk.get("/complaints/new/repeat/", {**asked, "received_at": "2026-03-05T09:00"}))

    assert "repeat-warning" in now
    # Received before the earlier complaint was: intake will not count it a repeat.
    assert "repeat-warning" not in before


def test_a_very_long_lookup_is_read_only_as_far_as_a_caller_says(frontdesk, estate, unit):
    response = signed_in(frontdesk).get("/complaints/new/lookup/", {"lookup": "3" * 10_000})

    assert response.status_code == 200
    assert "3" * 51 not in text(response)


def test_the_api_refuses_a_search_longer_than_the_worklists(frontdesk, estate):
    client = signed_in(frontdesk)

    refused = client.get("/api/v1/complaints/", {"q": "漏" * 101})
    taken = client.get("/api/v1/complaints/", {"q": "漏" * 100})

    assert refused.status_code == 400
    assert refused.json()["q"] == ["Search for at most 100 characters."]
    assert taken.status_code == 200


def test_a_vacant_unit_said_with_dashes_is_found(frontdesk, estate):
    seven = BuildingFactory(estate=estate, name="7号楼")
    UnitFactory(building=seven, entrance="1", room="301")  # nobody lives there

    body = text(signed_in(frontdesk).get("/complaints/new/lookup/", {"lookup": "7-1-301"}))

    assert "7号楼1单元-301" in body


def test_a_phone_number_looks_for_no_unit(frontdesk, estate, unit):
    body = text(signed_in(frontdesk).get("/complaints/new/lookup/", {"lookup": "13800001201"}))

    assert "3号楼2单元-1201" not in body


def test_with_an_estate_chosen_its_matches_come_first_even_a_vacant_unit(
    estate, other_estate, unit
):
    desk = make_staff("desk_both", role="front_desk", estates=[estate, other_estate])
    ResidentFactory(name="安娜", units=[unit])  # 海悦花园 3号楼2单元-1201
    vacant = UnitFactory(
        building=BuildingFactory(estate=other_estate, name="3号楼"), entrance="2", room="1201"
    )

    body = text(
        signed_in(desk).get("/complaints/new/lookup/", {"lookup": "3-2-1201", "estate": "JD"})
    )

    picks = re.findall(r"pick=1(?:&amp;resident=\d+)?&amp;unit=(\d+)", body)
    assert picks[0] == str(vacant.pk) and str(unit.pk) in picks[1:]
