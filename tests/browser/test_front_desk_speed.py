"""The front desk at the speed of a phone call, in Chromium: a scripted call counted key by key
on the demo data, the tab stops from the account to Save, and panels that fill in while the
desk types without taking a tab stop ahead of it."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from complaints.models import Complaint
from tests.factories import log_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE = "#intake-form button[type=submit]"
# The scripted call of the front-desk issue, at most this many keys from the open form.
KEYS_AT_MOST = 30
TAB_STOPS_AT_MOST = 6


class Keys:
    """The keyboard, counting every key the desk presses.

    Chinese is typed through a pinyin input method; it counts as the letters of its full
    pinyin and one key to pick the phrase (a desk using initials, ``lsls``, types fewer)."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def chinese(self, text: str, *, pinyin: str) -> None:
        self.page.keyboard.insert_text(text)
        self.count += len(pinyin) + 1


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.outerHTML")


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", complaints=30, stdout=io.StringIO())
    return User.objects.get(username="frontdesk")


def test_a_scripted_call_takes_at_most_thirty_keys_from_the_open_form_to_the_reference(desk, demo):
    page = desk.open(demo, language="zh-hans")
    desk.go(page, "/complaints/new/")
    keys = Keys(page)

    # "3号楼2单元801", as the caller says it, typed as its digits.
    keys.type("32801")
    first = page.wait_for_selector("#lookup-results .list-group-item")
    assert "3号楼2单元-801" in first.inner_text()
    keys.press("ArrowDown")
    keys.press("Enter")
    # The unit's resident, on file with her phone: the call goes on with what it is about.
    expect(page.locator("#id_unit option:checked")).to_have_text("3号楼2单元-801")
    expect(page.locator("[data-testid=chosen-resident]")).to_be_visible()
    expect(page.locator("#id_category_typed")).to_be_focused()
    # 渗漏 by its initials.
    keys.type("sl")
    expect(page.locator("#id_category_matches [role=option]").first).to_contain_text("渗漏")
    keys.press("Enter")
    assert page.input_value("#id_category") == "QUAL-LEAK"
    expect(page.locator("#id_category_suggested")).to_contain_text("建议紧急程度")
    keys.press("Tab")
    expect(page.locator("#id_account")).to_be_focused()
    keys.chinese("楼上漏水", pinyin="loushangloushui")
    keys.press("Control+Enter")

    page.wait_for_selector("[data-testid=created-banner]")
    complaint = Complaint.objects.latest("id")
    assert page.inner_text("[data-testid=created-reference]") == complaint.reference
    assert complaint.unit.label == "3号楼2单元-801" and complaint.category.code == "QUAL-LEAK"
    assert complaint.resident is not None and complaint.unit in complaint.resident.units.all()
    assert (complaint.summary, complaint.account) == ("楼上漏水", "楼上漏水")
    print(f"scripted call: {keys.count} keys from the open form to {complaint.reference}")
    assert keys.count <= KEYS_AT_MOST, keys.count


def test_at_most_six_tab_stops_from_the_account_to_save(desk, world):
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    page.focus("#id_account")
    stops = []
    for _ in range(20):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if page.evaluate(f"document.activeElement.matches('{SAVE}')"):
            break
    assert page.evaluate(f"document.activeElement.matches('{SAVE}')"), stops
    assert len(stops) <= TAB_STOPS_AT_MOST, stops
    # The resident's mindset is one stop: its radio group, on "not judged yet" until chosen.
    assert stops[:4] == ["id_summary", "id_severity", "id_desired_outcome", "id_mindset_0"], stops
    # The arrow keys choose within it.
    page.focus("#id_mindset_0")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#id_mindset_1")).to_be_checked()
    # The received time is behind its toggle, with how the complaint came in: not on the way.
    assert "id_received_at" not in stops
    assert not any("<summary" in stop for stop in stops), stops
    page.focus("[data-testid=received-toggle] summary")
    page.keyboard.press("Enter")
    expect(page.locator("#id_received_at")).to_be_visible()


def test_a_repeat_warning_that_appears_while_typing_takes_no_tab_stop(desk, world):
    earlier = log_complaint(
        world["frontdesk"], estate=world["estate"], unit=world["unit"], category="FAC-LIFT"
    )
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    page.keyboard.type("13812345678")
    page.wait_for_selector("#lookup-results .list-group-item")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_category_typed")).to_be_focused()
    page.keyboard.type("lift")
    page.keyboard.press("Enter")
    warning = page.wait_for_selector("[data-testid=repeat-warning]")
    assert earlier.reference in warning.inner_text()

    page.keyboard.press("Tab")

    expect(page.locator("#id_account")).to_be_focused()
    link = page.locator("[data-testid=repeat-warning] a")
    assert link.get_attribute("tabindex") == "-1"
    assert link.get_attribute("href") == f"/complaints/{earlier.reference}/"


def test_the_category_type_ahead_finds_by_name_initials_and_code_and_escape_restores(desk, world):
    page = desk.open(world["frontdesk"], language="zh-hans")
    desk.go(page, "/complaints/new/")
    typed = page.locator("#id_category_typed")
    for words, first in (("zx", "装修"), ("电梯", "电梯"), ("qual-crack", "开裂")):
        typed.fill(words)
        expect(page.locator("#id_category_matches [role=option]").first).to_contain_text(first)
    typed.fill("zx")
    typed.press("Enter")
    assert page.input_value("#id_category") == "QUAL-FITOUT"
    typed.fill("电")
    typed.press("Escape")
    expect(typed).to_have_value("装修")
    typed.fill("xyzxyz")
    expect(page.locator("#id_category_matches")).to_contain_text("没有匹配的类别")
    # Enter on no match neither chooses nor sends the form.
    typed.press("Enter")
    assert page.input_value("#id_category") == "QUAL-FITOUT"
    assert Complaint.objects.count() == 0


def test_a_category_typed_and_left_with_tab_is_the_one_highlighted(desk, world):
    page = desk.open(world["frontdesk"])
    desk.go(page, "/complaints/new/")
    typed = page.locator("#id_category_typed")
    typed.fill("lift")
    typed.press("Enter")
    # What the name starts with comes before what it only contains ("Cleaning and landscaping").
    typed.fill("lea")
    expect(page.locator("#id_category_matches [role=option]").first).to_contain_text("Leaks")

    page.keyboard.press("Tab")

    assert page.input_value("#id_category") == "QUAL-LEAK"
    expect(typed).to_have_value("Leaks")
    expect(page.locator("#id_account")).to_be_focused()


def first_suggestions(page, count: int = 3) -> list[str]:
    """The codes of the first categories the type-ahead offers before anything is typed."""
    page.fill("#id_category_typed", "")
    page.press("#id_category_typed", "ArrowDown")
    codes = page.locator("#id_category_matches [role=option] .float-end").all_inner_texts()
    page.press("#id_category_typed", "Escape")
    return [code.split(" · ")[0] for code in codes[:count]]


def unit_pick(page, phone: str, estate: str) -> None:
    """The caller found by her phone number and her unit picked, as the desk does."""
    page.fill("#lookup", phone)
    page.wait_for_selector(f"#lookup-results .list-group-item:has-text('{phone[-4:]}')")
    page.press("#lookup", "ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_estate")).to_have_value(estate)
    expect(page.locator("#id_category_typed")).to_be_focused()


def test_the_most_frequent_categories_follow_the_estate_of_the_unit_picked(desk, world):
    frontdesk = world["frontdesk"]
    for code in ("FAC-LIFT", "FAC-LIFT", "FAC-LIFT", "SEC-NOISE", "SEC-NOISE", "QUAL-LEAK"):
        log_complaint(frontdesk, estate=world["estate"], unit=world["unit"], category=code)
    for code in ("ENV-PEST",) * 5 + ("QUAL-LEAK",) * 3:
        log_complaint(
            frontdesk, estate=world["other_estate"], unit=world["far_unit"], category=code
        )
    page = desk.open(frontdesk)
    desk.go(page, "/complaints/new/")
    # No estate chosen yet: the desk's two estates together.
    assert first_suggestions(page) == ["ENV-PEST", "QUAL-LEAK", "FAC-LIFT"]

    unit_pick(page, "13812345678", "HY")
    assert first_suggestions(page) == ["FAC-LIFT", "SEC-NOISE", "QUAL-LEAK"]

    # A caller of the other estate: its own most frequent, without reloading the page.
    page.evaluate("window.notReloaded = true")
    unit_pick(page, "13700003333", "JD")
    assert first_suggestions(page)[:2] == ["ENV-PEST", "QUAL-LEAK"]

    page.select_option("#id_estate", "HY")
    assert first_suggestions(page) == ["FAC-LIFT", "SEC-NOISE", "QUAL-LEAK"]
    assert page.evaluate("window.notReloaded") is True
