"""The weekly summary of demo data on paper: Chromium's PDF is one A4 landscape page, and the
charts keep to their boxes, clear of each other and of the tables."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reports.iso_weeks import IsoWeek
from residents.models import Estate
from tests.browser.conftest import CHROMIUM, chromium, desk  # noqa: F401 - fixtures
from tests.browser.printing import (
    WEEKLY_BOXES,
    WEEKLY_PARTS,
    inside,
    overlapping,
    pdf_pages,
    print_layout,
    printed,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", complaints=40, stdout=io.StringIO())
    return get_user_model().objects.get(username="manager")


def open_week(desk, manager, week: str, language: str):  # noqa: F811
    page = desk.open(manager, language=language)
    response = desk.go(page, f"/reports/weekly/?week={week}")
    assert response.status == 200
    page.wait_for_function("window.Chart && Chart.getChart('weekly-trend') !== undefined")
    return page


def assert_one_page_without_overlap(page, extra: dict[str, str] | None = None) -> None:
    assert pdf_pages(printed(page)) == 1
    boxes = print_layout(page, {**WEEKLY_PARTS, **(extra or {})})
    assert overlapping(boxes) == []
    frames = print_layout(page, WEEKLY_BOXES)
    assert inside(boxes["by_category"], frames["by_category_box"])
    assert inside(boxes["trend"], frames["trend_box"])
    # Side by side, each 106 mm wide on paper.
    assert boxes["by_category"]["bottom"] == pytest.approx(boxes["trend"]["bottom"], abs=1)
    assert frames["trend_box"]["right"] - frames["trend_box"]["left"] == pytest.approx(
        106 / 25.4 * 96, abs=2
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_week_in_progress_and_the_last_print_on_one_page_each(desk, demo, language):  # noqa: F811
    week = IsoWeek.current(Estate.objects.values_list("time_zone", flat=True))
    page = open_week(desk, demo, str(week), language)
    assert page.locator("[data-testid=in-progress]").count() == 1
    data = page.evaluate("JSON.parse(document.getElementById('weekly-data').textContent)")
    assert data["trend"]["partial"] == 7

    assert_one_page_without_overlap(page, {"legend": "[data-testid=trend-in-progress]"})

    last = open_week(desk, demo, str(week.shifted(-1)), language)
    assert last.locator("[data-testid=in-progress]").count() == 0
    assert_one_page_without_overlap(last)
