"""The weekly page in Chromium: the charts draw under the Content-Security-Policy, and the page
prints on one A4 landscape sheet."""

import datetime as dt
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, chromium, desk, world  # noqa: F401 - fixtures
from tests.browser.printing import WEEKLY_PARTS, overlapping, pdf_pages, print_layout, printed
from tests.reports.helpers import WEDNESDAY, close, explain_invalid, receive, resolve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]


def test_the_charts_draw_and_the_page_prints_on_one_sheet(desk, world, tmp_path):  # noqa: F811
    frontdesk, supervisor = world["frontdesk"], world["supervisor"]
    for weeks_back in range(4):
        complaint = receive(frontdesk, world["estate"], WEDNESDAY - dt.timedelta(weeks=weeks_back))
        explain_invalid(complaint, frontdesk, WEDNESDAY + dt.timedelta(hours=weeks_back))
    leak = receive(frontdesk, world["estate"], WEDNESDAY, unit=world["unit"], category="QUAL-LEAK")
    resolve(leak, frontdesk, supervisor, WEDNESDAY + dt.timedelta(hours=3))
    close(leak, frontdesk, WEDNESDAY + dt.timedelta(hours=4))

    page = desk.open(world["manager"], language="zh-hans")
    response = desk.go(page, "/reports/weekly/?week=2026-W47")
    page.wait_for_function("window.Chart && Chart.getChart('weekly-trend') !== undefined")

    assert response.status == 200
    trend = page.evaluate("Chart.getChart('weekly-trend').data.datasets[0].data")
    assert trend[-1] == 2
    assert page.evaluate("Chart.getChart('weekly-by-category').data.labels.length") == 7
    assert pdf_pages(printed(page)) == 1


def test_a_week_of_incidents_prints_on_one_page(desk, manager, history):  # noqa: F811
    """The fullest page: the quality figures without the incident-linked complaints and four
    building-wide incidents, beside each other on paper."""
    page = desk.open(manager, language="en")
    desk.go(page, "/reports/weekly/?week=2026-W47")
    page.wait_for_function("window.Chart && Chart.getChart('weekly-trend') !== undefined")
    assert page.locator("[data-testid=quality-without-incidents] table").count() == 1
    assert page.locator("[data-incident]").count() == 4

    # At its size on paper (106 mm by 48 mm), the bar chart still names every category.
    ticks = "c => { c.resize(400, 181); return c.scales.y.ticks.length; }"
    assert page.evaluate(f"({ticks})(Chart.getChart('weekly-by-category'))") == 7

    assert pdf_pages(printed(page)) == 1
    assert overlapping(print_layout(page, WEEKLY_PARTS)) == []
