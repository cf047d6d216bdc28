"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Without Chromium they are skipped locally and fail under CI (nothing may be skipped there).
Every page opened through ``desk.open`` is watched: a console error, a page error or a
Content-Security-Policy violation fails the test.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.factories import BuildingFactory, EstateFactory, ResidentFactory, UnitFactory, make_staff

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# `make screenshots` refreshes the README's pictures; other runs write them aside.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("DESK_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "desk-screenshots"
)
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    for item in items:
        if item.get_closest_marker("browser"):
            if os.environ.get("CI"):
                item.fixturenames.insert(0, "_require_chromium")
            else:
                item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}"))


@pytest.fixture
def _require_chromium():
    pytest.fail(f"The browser tests need Chromium at {CHROMIUM}; CI must install it.")


@pytest.fixture
def chromium(monkeypatch):
    """One browser per test: Playwright's event loop lives only as long as the test."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test's thread; the ORM calls a test
    # makes meanwhile are still plain synchronous calls, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Django keeps connections per context, and the ORM calls made while Playwright's loop
        # ran had a context of their own: close those connections before it goes.
        connections.close_all()


class Desk:
    """Opens signed-in pages and collects what the browser complained about."""

    def __init__(self, chromium, live_server) -> None:
        self.chromium = chromium
        self.url = live_server.url
        self.contexts = []
        self.problems: list[str] = []
        self.expected_statuses: set[int] = set()

    def _watch(self, page) -> None:
        def console(message) -> None:
            if message.type != "error":
                return
            if any(f"status of {s}" in message.text for s in self.expected_statuses):
                return
            self.problems.append(f"{page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def open(
        self, user=None, *, language: str = "en", viewport: dict = DESKTOP, javascript: bool = True
    ):
        locale = "zh-CN" if language.startswith("zh") else "en-US"
        context = self.chromium.new_context(
            viewport=viewport, locale=locale, java_script_enabled=javascript
        )
        if user is not None:
            user.staff_member.language = language
            user.staff_member.save(update_fields=["language"])
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.url}]
            )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        self._watch(page)
        return page

    def go(self, page, path: str):
        response = page.goto(self.url + path)
        page.wait_for_load_state("load")
        return response

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def desk(chromium, live_server):
    helper = Desk(chromium, live_server)
    yield helper
    helper.close()
    assert helper.problems == [], "the browser reported errors"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def category_pick(page, code: str) -> None:
    """Choose a category as the desk does: its code typed into the type-ahead, then Enter; or,
    where no script runs, in the plain select."""
    if page.locator("#id_category_typed").count():
        page.fill("#id_category_typed", code)
        page.press("#id_category_typed", "Enter")
    else:
        page.select_option("#id_category", code)
    assert page.input_value("#id_category") == code


def resident_pick(page, typed: str) -> None:
    """Find a resident as the desk does, typing into the look-up that has the focus when the
    form opens, and take the first one found with the arrow and Enter."""
    page.keyboard.type(typed)
    page.wait_for_selector("#lookup-results .list-group-item")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=chosen-resident]")


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def world(transactional_db):
    """Two estates with buildings, units and residents, and the demo's cast of staff."""
    haiyue = EstateFactory(code="HY", name="海悦花园")
    jindu = EstateFactory(code="JD", name="锦都名苑")
    building = BuildingFactory(estate=haiyue, name="3号楼")
    unit = UnitFactory(building=building, entrance="2", room="1201")
    neighbour = UnitFactory(building=building, entrance="2", room="1202")
    far_unit = UnitFactory(building=BuildingFactory(estate=jindu, name="1号楼"), room="0601")
    return {
        "estate": haiyue,
        "other_estate": jindu,
        "unit": unit,
        "neighbour_unit": neighbour,
        "far_unit": far_unit,
        "resident": ResidentFactory(name="王芳", phone="13812345678", units=[unit]),
        "neighbour": ResidentFactory(name="李明", phone="13900002222", units=[neighbour]),
        "far_resident": ResidentFactory(name="赵强", phone="13700003333", units=[far_unit]),
        "frontdesk": make_staff(
            "frontdesk", role="front_desk", department="CS", estates=[haiyue, jindu]
        ),
        "frontdesk_b": make_staff(
            "frontdesk_b", role="front_desk", department="CS", estates=[jindu]
        ),
        "handler": make_staff("handler", role="handler", department="ENG", estates=[haiyue]),
        "supervisor": make_staff(
            "supervisor", role="supervisor", department="CS", estates=[haiyue, jindu]
        ),
        "manager": make_staff("manager", role="manager", department="CS", estates=[haiyue, jindu]),
    }
