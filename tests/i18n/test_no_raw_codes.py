"""No code reaches a reader: the main pages, in both languages, show labels, never the values
the database and the API use (``follow_up``, ``deadline_missed``, ``resolution`` …)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from complaints.display import DATA_LABELS, EVENT_LABELS, EventWording
from complaints.models import DeadlineKind, Escalation
from complaints.services.recompute import deadlines_recompute
from complaints.workflow import ACTIONS
from residents.models import CalendarDay
from staff.roles import ROLE_LABELS
from tests.complaints.helpers import TUESDAY_10, act, complaint_at, sweep_run
from tests.complaints.page_helpers import signed_in
from tests.factories import log_complaint, make_staff

pytestmark = pytest.mark.django_db
OUR_APPS = {"complaints", "residents", "staff", "notifications", "reports", "portal"}
LATER = TUESDAY_10 + dt.timedelta(days=10)


def codes() -> set[str]:
    """Every choice value of the desk's models, the roles, the timeline's and actions' kinds."""
    found = set(ROLE_LABELS) | set(ACTIONS) | set(EVENT_LABELS)
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z_]+", value):
                    found.add(value)
    return found


class TextNodes(HTMLParser):
    """The words a reader sees: text outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.words.extend(word.lower() for word in re.findall(r"[A-Za-z_]+", data))


def raw_codes(html: str, language: str) -> set[str]:
    parser = TextNodes()
    parser.feed(html)
    known = codes()
    # In English most labels are the code's own word ("urgent", "phone"); a code with an
    # underscore is never one. In Chinese any code in Latin letters is raw.
    if language == "en":
        known = {code for code in known if "_" in code}
    # Acronyms the desk shows as such, in both languages.
    return known & set(parser.words) - {"api"}


@pytest.fixture
def desk(estate, unit, resident):
    """Complaints whose pages show every kind of escalation and a recomputed deadline."""
    frontdesk = make_staff("wang.li", role="front_desk", estates=[estate])
    supervisor = make_staff("zhao.min", role="supervisor", estates=[estate])
    with time_machine.travel(TUESDAY_10, tick=False):
        unhappy = complaint_at("resolution", actor=frontdesk, estate=estate, unit=unit)
        act(unhappy, frontdesk, "escalate", reason="refused_time", note="不接受明天")
        act(unhappy, frontdesk, "log_callback", reached=False, note="无人接听")
        waiting = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident)
        act(waiting, frontdesk, "accept")
        visit = complaint_at("follow_up", actor=supervisor, estate=estate, unit=unit)
        CalendarDay.objects.create(estate=estate, date=dt.date(2026, 3, 11), kind="holiday")
        open_ones = type(waiting).objects.filter(estate=estate, closed_at__isnull=True)
        deadlines_recompute(
            complaints=open_ones, actor=supervisor, because={"calendar_of": estate.code}
        )
    sweep_run(now=LATER)
    kinds = set(Escalation.objects.values_list("reason", "deadline__kind"))
    assert ("deadline_missed", "follow_up") in kinds
    assert ("refused_time", None) in kinds
    return {"supervisor": supervisor, "complaints": [unhappy, waiting, visit]}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_main_pages_show_labels_not_codes(desk, language):
    admin = get_user_model().objects.create_superuser("li.na", password="pw-for-tests")
    browser = signed_in(desk["supervisor"], language)
    administrator = Client(HTTP_ACCEPT_LANGUAGE=language)
    administrator.force_login(admin)
    pages = [
        (browser, "/complaints/"),
        (browser, "/escalations/"),
        (browser, "/reports/weekly/?week=2026-W11"),
        (browser, "/reports/weekly/?week=2026-W12"),
        (administrator, "/admin/"),
    ] + [(browser, f"/complaints/{c.reference}/") for c in desk["complaints"]]
    shown = {}
    with time_machine.travel(LATER, tick=False):
        for client, url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            shown[url] = raw_codes(response.content.decode(), language)
    assert shown == {url: set() for _client, url in pages}


def test_the_timeline_words_a_calendar_change_with_the_estates_name(desk, estate):
    browser = signed_in(desk["supervisor"], "zh-hans")
    with time_machine.travel(LATER, tick=False):
        page = browser.get(f"/complaints/{desk['complaints'][1].reference}/").content.decode()
    assert f"{estate.name}的营业日历已修改。" in page
    assert "business calendar of" not in page


@pytest.mark.parametrize(
    ("language", "because", "words"),
    [
        ("en", {"calendar_of": "HY"}, "The business calendar of 海悦花园 was changed."),
        (
            "en",
            {"policy_change": "changed", "category": "FAC", "severity": "urgent"},
            "The deadline policy for Facilities and equipment, urgent was changed.",
        ),
        (
            "zh-hans",
            {"policy_change": "added", "category": "", "severity": "normal"},
            "新增了所有类别（一般）的时限规则。",
        ),
        (
            "zh-hans",
            {"policy_change": "removed", "category": "FAC", "severity": "major"},
            "设施设备（重大）的时限规则已删除。",
        ),
    ],
)
def test_a_recompute_says_what_changed_in_the_readers_language(estate, language, because, words):
    with translation.override(language):
        assert EventWording(estate.zone).cause(because) == words
        # Worded once, not listed again field by field.
        assert EventWording(estate.zone).details({**because, "deadline": "acknowledge"}) == [
            (str(DATA_LABELS["deadline"]), str(DeadlineKind.ACKNOWLEDGE.label))
        ]


def test_the_admin_names_the_sign_in_lockouts_in_both_languages():
    admin = get_user_model().objects.create_superuser("li.na", password="pw-for-tests")
    for language, words in (("en", ("Sign-in lockouts",)), ("zh-hans", ("登录锁定", "登录尝试"))):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(admin)
        page = client.get("/admin/").content.decode()
        for word in words:
            assert word in page, (language, word)
        assert "Axes" not in page and "AXES" not in page and "Knox" not in page
