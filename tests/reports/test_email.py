"""The Monday email: once per manager and week, on the estates' clocks, in their language."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from reports import mailing
from reports.figures import FIGURE_LABELS
from reports.models import WeeklyReportDelivery
from reports.tasks import send_weekly_summaries
from staff.models import StaffMember
from tests.factories import EstateFactory, make_staff
from tests.reports.helpers import WEDNESDAY, explain_invalid, london, receive, shanghai

pytestmark = pytest.mark.django_db

MONDAY_8 = shanghai(2026, 11, 23, 8, 0)


def make_manager(username, *, estates, language="zh-hans"):
    user = make_staff(username, role="manager", estates=estates)
    user.email = f"{username}@example.com"
    user.save()
    StaffMember.objects.filter(user=user).update(language=language)
    return user


def run(moment: dt.datetime) -> list:
    with time_machine.travel(moment, tick=False):
        return mailing.weekly_summaries_send()


@pytest.fixture
def complaints(frontdesk, frontdesk_b, estate, other_estate):
    explain_invalid(receive(frontdesk, estate, WEDNESDAY), frontdesk, WEDNESDAY)
    receive(frontdesk_b, other_estate, WEDNESDAY)


def test_sent_once_at_monday_eight_however_often_the_schedule_fires(
    estate, other_estate, complaints, mailoutbox
):
    make_manager("jingli", estates=[estate, other_estate], language="en")

    assert run(MONDAY_8 - dt.timedelta(minutes=1)) == []
    assert run(MONDAY_8) == [("jingli", "2026-W47")]
    assert run(MONDAY_8) == []
    assert run(MONDAY_8 + dt.timedelta(hours=1)) == []

    assert len(mailoutbox) == 1
    delivery = WeeklyReportDelivery.objects.get()
    assert (delivery.week, delivery.attempts, delivery.sent_at is not None) == ("2026-W47", 1, True)


def test_the_email_is_html_and_text_with_the_csv_and_a_link(
    estate, other_estate, complaints, mailoutbox
):
    make_manager("jingli", estates=[estate, other_estate], language="en")
    run(MONDAY_8)

    message = mailoutbox[0]
    assert message.to == ["jingli@example.com"]
    assert message.subject == "Weekly complaint summary 2026-W47: 海悦花园, 锦都名苑"
    link = f"{settings.DESK_BASE_URL}/reports/weekly/?week=2026-W47"
    assert link in message.body
    assert "  Received: 2" in message.body
    assert "Fees and charges" not in message.body  # nothing to report in that category
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="{link}">' in html
    assert "<img" not in html
    assert "Fees and charges" in html
    assert '<th align="right">Received</th>' in html
    name, content, attachment_type = message.attachments[0]
    assert (name, attachment_type) == ("weekly-2026-W47-all.csv", "text/csv")
    assert content.splitlines()[0].startswith("\ufeffCode,Category,Received")


def test_each_manager_reads_their_own_estates_in_their_language(
    estate, other_estate, complaints, mailoutbox
):
    make_manager("wang", estates=[estate])
    make_manager("smith", estates=[estate, other_estate], language="en")
    run(MONDAY_8)

    by_address = {m.to[0]: m for m in mailoutbox}
    chinese = by_address["wang@example.com"]
    with translation.override("zh-hans"):
        subject = _("Weekly complaint summary %(week)s: %(estates)s")
        received = str(FIGURE_LABELS["received"])
    assert subject != "Weekly complaint summary %(week)s: %(estates)s"
    assert chinese.subject == subject % {"week": "2026-W47", "estates": "海悦花园"}
    assert f"  {received}: 1" in chinese.body
    assert "锦都名苑" not in chinese.body
    assert "  Received: 2" in by_address["smith@example.com"].body


def test_a_chinese_summary_lists_its_estates_with_the_enumeration_comma(
    estate, other_estate, complaints, mailoutbox
):
    make_manager("wang", estates=[estate, other_estate])
    run(MONDAY_8)

    assert mailoutbox[0].subject.endswith("：海悦花园、锦都名苑")
    assert "海悦花园、锦都名苑" in mailoutbox[0].body


def test_a_missed_monday_catches_up_for_a_day_only(estate, complaints, mailoutbox):
    make_manager("jingli", estates=[estate])

    assert run(MONDAY_8 + dt.timedelta(days=1, minutes=1)) == []
    assert run(MONDAY_8 + dt.timedelta(hours=23)) == [("jingli", "2026-W47")]


def test_estates_in_several_zones_wait_for_the_last_monday_morning(estate, mailoutbox):
    london_estate = EstateFactory(code="LD", name="Thames Court", time_zone="Europe/London")
    make_manager("global", estates=[estate, london_estate], language="en")

    assert run(MONDAY_8) == []
    assert run(london(2026, 11, 23, 7, 59)) == []
    assert run(london(2026, 11, 23, 8, 0)) == [("global", "2026-W47")]


def test_a_sender_that_died_is_taken_over_after_the_lease(estate, mailoutbox):
    manager = make_manager("jingli", estates=[estate])
    WeeklyReportDelivery.objects.create(manager=manager, week="2026-W47", claimed_at=MONDAY_8)

    assert run(MONDAY_8 + dt.timedelta(minutes=5)) == []
    assert run(MONDAY_8 + mailing.LEASE + dt.timedelta(minutes=1)) == [("jingli", "2026-W47")]
    assert len(mailoutbox) == 1


def test_a_failed_send_is_recorded_and_retried(estate, mailoutbox, monkeypatch):
    make_manager("jingli", estates=[estate])

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        assert run(MONDAY_8) == []
    delivery = WeeklyReportDelivery.objects.get()
    assert (delivery.sent_at, delivery.attempts) == (None, 1)
    assert "smtp down" in delivery.last_error

    assert run(MONDAY_8 + mailing.LEASE + dt.timedelta(minutes=1)) == [("jingli", "2026-W47")]
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_send_runs_outside_any_transaction(monkeypatch):
    estate = EstateFactory(code="HY", name="海悦花园")
    make_manager("jingli", estates=[estate])
    seen = []

    def record(self, messages):
        seen.append(connection.in_atomic_block)
        return len(messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", record)
    with time_machine.travel(MONDAY_8, tick=False):
        assert send_weekly_summaries() == 1
        assert send_weekly_summaries() == 0
    assert seen == [False]


def test_the_schedule_asks_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-summaries"]
    assert entry["task"] == "reports.tasks.send_weekly_summaries"
    assert entry["schedule"].minute == {0}
    assert entry["schedule"].hour == set(range(24))
    assert settings.DESK_WEEKLY_EMAIL_HOUR == 8
