"""Intake's history panel at /complaints/new/history/: the chosen unit's and resident's
complaints of the last twelve months, within the estates the desk covers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tests.complaints.helpers import SHANGHAI
from tests.complaints.page_helpers import (
    NOW,
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import ResidentFactory, UnitFactory, log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]
HISTORY = "/complaints/new/history/"


def logged_at(when: dt.datetime, actor, **fields):
    """A complaint received at ``when``, logged through the desk's own service."""
    with time_machine.travel(when, tick=False):
        return log_complaint(actor, **fields)


def references(body: str) -> list[str]:
    return re.findall(r'href="/complaints/([^/"]+)/"', body)


def test_the_five_latest_of_the_unit_are_listed_newest_first_and_the_rest_counted(
    frontdesk, estate, unit
):
    in_window = [
        logged_at(NOW - dt.timedelta(days=days), frontdesk, estate=estate, unit=unit)
        for days in (300, 2, 90, 40, 364, 150, 7)
    ]
    too_old = logged_at(NOW - dt.timedelta(days=366), frontdesk, estate=estate, unit=unit)

    body = text(signed_in(frontdesk).get(HISTORY, {"estate": "HY", "unit": unit.pk}))

    newest_first = sorted(in_window, key=lambda c: c.received_at, reverse=True)
    assert references(body) == [c.reference for c in newest_first[:5]]
    assert too_old.reference not in body
    assert "Complaints from this unit or resident in the last 12 months" in body
    assert re.search(r'data-testid="history-more">\s*2 more in the last 12 months', body)
    assert body.count('tabindex="-1"') == 5 and body.count('rel="noopener"') == 5


def test_a_row_says_the_category_and_the_stage_and_no_more_line_for_five_or_fewer(
    frontdesk, estate, unit
):
    earlier = logged_at(
        dt.datetime(2025, 12, 1, 9, 0, tzinfo=SHANGHAI),
        frontdesk,
        estate=estate,
        unit=unit,
        category="SEC-NOISE",
    )

    body = text(signed_in(frontdesk).get(HISTORY, {"estate": "HY", "unit": unit.pk}))

    row = re.search(r'<tr data-testid="history-row">(.*?)</tr>', body, flags=re.S)
    assert row, body
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row[1])]
    assert cells == [earlier.reference, "Security and order / Noise", "Intake", "12/01/2025"]
    assert "history-more" not in body


def test_unit_and_resident_together_are_one_list_without_doubles(frontdesk, estate, unit):
    resident = ResidentFactory(name="王芳", phone="13812345678", units=[unit])
    her_other_unit = UnitFactory(building=unit.building, entrance="2", room="1202")
    resident.units.add(her_other_unit)
    neighbour = UnitFactory(building=unit.building, entrance="2", room="1203")
    day = dt.timedelta(days=1)
    both = logged_at(NOW - 30 * day, frontdesk, estate=estate, unit=unit, resident=resident)
    unit_only = logged_at(NOW - 20 * day, frontdesk, estate=estate, unit=unit)
    hers_elsewhere = logged_at(
        NOW - 10 * day, frontdesk, estate=estate, unit=her_other_unit, resident=resident
    )
    logged_at(NOW - 5 * day, frontdesk, estate=estate, unit=neighbour)
    desk = signed_in(frontdesk)

    together = text(desk.get(HISTORY, {"estate": "HY", "unit": unit.pk, "resident": resident.pk}))
    by_unit = text(desk.get(HISTORY, {"estate": "HY", "unit": unit.pk}))
    by_resident = text(desk.get(HISTORY, {"estate": "HY", "resident": resident.pk}))

    assert references(together) == [
        hers_elsewhere.reference,
        unit_only.reference,
        both.reference,
    ]
    assert references(by_unit) == [unit_only.reference, both.reference]
    assert references(by_resident) == [hers_elsewhere.reference, both.reference]


def test_another_estates_unit_or_resident_shows_nothing(
    frontdesk, frontdesk_b, supervisor, estate, other_estate, unit, resident
):
    far_unit = UnitFactory(building__estate=other_estate)
    far_resident = ResidentFactory(name="赵强", phone="13700003333", units=[far_unit])
    mine = logged_at(NOW - dt.timedelta(days=3), frontdesk, estate=estate, unit=unit)
    theirs = logged_at(
        NOW - dt.timedelta(days=3),
        frontdesk_b,
        estate=other_estate,
        unit=far_unit,
        resident=far_resident,
    )
    asked = {"estate": "HY", "unit": unit.pk, "resident": resident.pk}

    assert references(text(signed_in(frontdesk).get(HISTORY, asked))) == [mine.reference]
    # Estate B's desk, asking about estate A's unit and resident, or naming its own estate.
    desk_b = signed_in(frontdesk_b)
    assert text(desk_b.get(HISTORY, asked)).strip() == ""
    assert text(desk_b.get(HISTORY, {**asked, "estate": "JD"})).strip() == ""
    # Estate A's desk, asking about estate B's unit and resident.
    far = {"unit": far_unit.pk, "resident": far_resident.pk}
    assert text(signed_in(frontdesk).get(HISTORY, {"estate": "JD", **far})).strip() == ""
    assert text(signed_in(frontdesk).get(HISTORY, {"estate": "HY", **far})).strip() == ""
    # Covering both estates: a unit read in another estate than its own adds nothing.
    both = signed_in(supervisor)
    assert text(both.get(HISTORY, {"estate": "JD", "unit": unit.pk})).strip() == ""
    assert references(text(both.get(HISTORY, {"estate": "JD", **far}))) == [theirs.reference]


@pytest.mark.parametrize(
    "asked",
    [
        {},
        {"estate": "HY"},
        {"estate": "HY", "unit": "", "resident": ""},
        {"estate": "XX", "unit": "{unit}"},
        {"estate": "", "unit": "{unit}"},
        {"estate": "HY", "unit": str(2**63 - 1)},
    ],
)
def test_nothing_chosen_or_nothing_known_shows_nothing(frontdesk, estate, unit, asked):
    logged_at(NOW - dt.timedelta(days=3), frontdesk, estate=estate, unit=unit)

    response = signed_in(frontdesk).get(
        HISTORY, {key: value.format(unit=unit.pk) for key, value in asked.items()}
    )

    assert response.status_code == 200 and text(response).strip() == ""


def test_dates_are_the_estates_own_days(frontdesk, estate, unit):
    estate.time_zone = "Europe/London"
    estate.save(update_fields=["time_zone"])
    # 07:00 in Shanghai on 2 March is 23:00 in London on 1 March.
    logged_at(dt.datetime(2026, 3, 2, 7, 0, tzinfo=SHANGHAI), frontdesk, estate=estate, unit=unit)

    body = text(signed_in(frontdesk).get(HISTORY, {"estate": "HY", "unit": unit.pk}))

    assert re.findall(r'data-testid="history-received">([^<]*)<', body) == ["03/01/2026"]


def test_the_history_is_for_the_front_desk(handler, estate, unit):
    response = signed_in(handler).get(HISTORY, {"estate": "HY", "unit": unit.pk})

    assert response.status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_the_history_reads_a_fixed_number_of_queries(
    frontdesk, estate, unit, django_assert_max_num_queries, rows
):
    resident = ResidentFactory(name="王芳", phone="13812345678", units=[unit])
    for days in range(rows):
        logged_at(NOW - dt.timedelta(days=days + 1), frontdesk, estate=estate, unit=unit)
    desk = signed_in(frontdesk)

    # The session and the signed-in user (3), the estate, the unit and the resident checked,
    # the rows with their categories, and the count of the rest.
    with django_assert_max_num_queries(8):
        body = text(desk.get(HISTORY, {"estate": "HY", "unit": unit.pk, "resident": resident.pk}))

    assert len(references(body)) == min(rows, 5)
    assert ("25 more in the last 12 months" in body) == (rows == 30)
