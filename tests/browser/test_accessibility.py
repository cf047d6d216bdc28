"""axe-core on every page state the desk's people work in, in Chromium, in both languages:
no serious or critical violation, and a visible focus on every control.

axe (tests/browser/vendor/axe.min.js, from the npm registry) is evaluated in the page by the
test, never served: the desk's Content-Security-Policy stays as it is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from complaints.services import complaint_act
from complaints.services.incidents import IncidentInput, incident_open
from tests.browser.conftest import category_pick
from tests.factories import category, log_complaint

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text("utf-8")
PHONE = {"width": 390, "height": 844}
SERIOUS = {"serious", "critical"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(page) -> list[str]:
    page.evaluate(AXE)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(v['nodes'][:3])}"
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def states(world):
    """Something on each page: complaints, one of them a repeat, an escalation, an incident."""
    estate, unit = world["estate"], world["unit"]
    supervisor = world["supervisor"]
    first = log_complaint(world["frontdesk"], estate=estate, unit=unit, category="QUAL-LEAK")
    log_complaint(world["frontdesk"], estate=estate, unit=unit, category="QUAL-LEAK")  # a repeat
    # Each severity's badge on the worklist and the queue.
    for severity in ("major", "urgent"):
        escalated = log_complaint(
            world["frontdesk"], estate=estate, unit=unit, category="FAC-LIFT", severity=severity
        )
        complaint_act(
            reference=escalated.reference,
            actor=world["frontdesk"],
            action="escalate",
            data={"reason": "unsatisfied", "note": "业主要求主管回电"},
        )
    incident = incident_open(
        actor=supervisor,
        data=IncidentInput(
            estate=estate,
            category=category("FAC-UTIL"),
            title="3号楼停水",
            notice="供水管道抢修。",
            expected_end=dt.datetime.now(dt.UTC) + dt.timedelta(hours=4),
            buildings=(unit.building,),
        ),
    )
    return {"complaint": first, "incident": incident}


PAGES = [
    ("supervisor", "/complaints/"),
    ("frontdesk", "/complaints/new/"),
    ("supervisor", "/complaints/{complaint}/"),
    ("supervisor", "/escalations/"),
    ("frontdesk", "/residents/"),
    ("manager", "/reports/weekly/"),
    ("supervisor", "/incidents/"),
    ("supervisor", "/incidents/{incident}/"),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_serious_violation_on_the_desks_pages(desk, world, states, language):
    found = {}
    for who, path in PAGES:
        page = desk.open(world[who], language=language)
        path = path.format(complaint=states["complaint"].reference, incident=states["incident"].pk)
        desk.go(page, path)
        found[path] = violations(page)
    # The intake form with its errors, and with the repeat warning shown.
    page = desk.open(world["frontdesk"], language=language)
    desk.go(page, "/complaints/new/")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    found["intake with errors"] = violations(page)
    # The intake form for a unit that complained of a leak before: the repeat warning shows.
    page = desk.open(world["frontdesk"], language=language)
    desk.go(page, "/complaints/new/")
    page.select_option("#id_estate", "HY")
    page.wait_for_selector("#id_building option:has-text('3号楼')", state="attached")
    page.select_option("#id_building", label="3号楼")
    page.wait_for_selector("#id_unit option:has-text('3号楼2单元-1201')", state="attached")
    page.select_option("#id_unit", label="3号楼2单元-1201")
    category_pick(page, "QUAL-CRACK")
    page.wait_for_selector('[data-testid="repeat-warning"]')
    found["intake with a repeat"] = violations(page)
    # The category type-ahead open, a match highlighted.
    page.fill("#id_category_typed", "l")
    page.wait_for_selector("#id_category_matches .active")
    found["intake with the category's matches"] = violations(page)
    # Signed out, and the handler's phone.
    page = desk.open(language=language)
    desk.go(page, "/accounts/login/")
    found["login"] = violations(page)
    page = desk.open(world["handler"], language=language, viewport=PHONE)
    desk.go(page, "/my/")
    found["phone"] = violations(page)

    assert {where: what for where, what in found.items() if what} == {}


def test_focus_is_visible_on_every_nav_link(desk, world, states):
    page = desk.open(world["supervisor"])
    desk.go(page, "/complaints/")
    links = page.locator("nav a")
    unseen = []
    for index in range(links.count()):
        link = links.nth(index)
        if not link.is_visible():
            continue
        link.focus()
        ring = link.evaluate(
            "e => { const s = getComputedStyle(e); "
            "return [s.outlineStyle, s.outlineWidth, s.boxShadow].join(' '); }"
        )
        if ring.startswith("none 0px none") or ring == "none 0px none":
            unseen.append(link.inner_text())
    assert unseen == []
