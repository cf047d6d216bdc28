"""The resident's rating, once, and the link that stops text messages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from complaints.models import Complaint, Escalation, EscalationReason, Stage
from complaints.status_links import status_path
from residents.models import Resident
from tests.complaints.helpers import complaint_at, snapshot
from tests.complaints.page_helpers import NOW
from tests.factories import log_complaint
from tests.portal.conftest import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _office_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def rate(client: Client, complaint, **data):
    return client.post(f"{status_path(complaint)}rate/", data)


def test_the_rating_form_asks_one_question_in_chinese(supervisor, estate, resident_browser):
    complaint = complaint_at("follow_up", actor=supervisor, estate=estate)

    text = page(resident_browser, complaint, "rate/").content.decode()

    assert "您对我们处理这次投诉是否满意？" in text
    for answer in ("满意", "较满意", "不满意"):
        assert f"<span>{answer}</span>" in text
    assert 'name="comment"' in text


def test_a_rating_is_recorded_once_and_a_second_post_is_refused(supervisor, estate):
    complaint = complaint_at("follow_up", actor=supervisor, estate=estate)
    client = Client()

    first = rate(client, complaint, rating="satisfied", comment="  师傅很 耐心 ")
    thanks = client.get(first["Location"])
    before = snapshot(complaint)
    second = rate(client, complaint, rating="unsatisfied", comment="改主意了")
    broken = rate(client, complaint, rating="nonsense")

    assert first.status_code == 302
    assert "谢谢" in thanks.content.decode()
    assert "客服主管将与您联系" not in thanks.content.decode()
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.resident_rating, fresh.satisfaction, fresh.satisfaction_source) == (
        "satisfied",
        "satisfied",
        "resident",
    )
    assert fresh.resident_comment == "师傅很 耐心"
    assert second.status_code == 409
    assert "这件投诉已经评价过了" in second.content.decode()
    assert broken.status_code == 409
    assert snapshot(complaint) == before
    status_page = page(client, complaint).content.decode()
    assert "感谢您对我们处理投诉的评价" in status_page
    assert "评价我们的处理" not in status_page


def test_an_invalid_rating_shows_the_form_again_and_changes_nothing(supervisor, estate):
    complaint = complaint_at("follow_up", actor=supervisor, estate=estate)
    before = snapshot(complaint)
    client = Client()

    missing = client.post(f"{status_path(complaint)}rate/?lang=en", {"comment": "还行"})
    too_long = rate(client, complaint, rating="fairly", comment="长" * 501)

    assert missing.status_code == 400
    assert "Choose one of the answers offered." in missing.content.decode()
    assert "还行" in missing.content.decode(), "what was typed is kept"
    assert too_long.status_code == 400
    assert "意见请控制在 500 字以内" in too_long.content.decode()
    assert snapshot(complaint) == before


def test_unsatisfied_on_a_closed_complaint_reopens_it_once_to_the_supervisors(supervisor, estate):
    complaint = complaint_at("closed", actor=supervisor, estate=estate)
    client = Client()

    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        first = rate(client, complaint, rating="unsatisfied", comment="电梯又坏了")
        thanks = client.get(first["Location"])
        again = rate(client, complaint, rating="unsatisfied", comment="还是坏的")

    fresh = Complaint.objects.get(pk=complaint.pk)
    assert first.status_code == 302
    assert fresh.stage == Stage.RESOLUTION
    assert fresh.escalation_level == 1
    escalations = Escalation.objects.filter(complaint=complaint)
    assert [(e.level, e.reason) for e in escalations] == [(1, EscalationReason.UNSATISFIED)]
    assert "客服主管将与您联系" in thanks.content.decode()
    assert again.status_code == 409
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1


def test_the_stop_link_asks_first_then_stops_messages_to_the_resident(
    supervisor, estate, unit, resident
):
    complaint = log_complaint(supervisor, estate=estate, unit=unit, resident=resident)
    client = Client()

    asked = page(client, complaint, "stop/")
    assert Resident.objects.get(pk=resident.pk).messages_stopped_at is None
    stopped = client.post(f"{status_path(complaint)}stop/")
    confirmed = client.get(stopped["Location"])

    assert "退订短信" in asked.content.decode()
    assert 'method="post"' in asked.content.decode()
    assert stopped.status_code == 302
    fresh = Resident.objects.get(pk=resident.pk)
    assert fresh.messages_stopped_at == NOW
    assert fresh.messages_stopped_via == "link"
    text = confirmed.content.decode()
    assert "已退订" in text
    assert "只有新投诉的受理短信（含投诉编号）仍会发送" in text
    assert 'method="post"' not in text


def test_the_stop_link_of_a_caller_known_by_phone_only_keeps_the_stop(supervisor, estate):
    complaint = log_complaint(
        supervisor, estate=estate, contact_name="赵先生", contact_phone="13655556666"
    )

    client = Client()
    client.post(f"{status_path(complaint)}stop/?lang=en")

    kept = Resident.objects.get(phone="8613655556666")
    assert kept.name == "赵先生"
    assert kept.messages_stopped_via == "link"
