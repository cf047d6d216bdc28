"""The printed receipt of a walk-in complaint, with the QR code of its status page."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from complaints.status_links import complaint_for_token
from tests.complaints.page_helpers import (
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


def test_the_receipt_has_the_facts_the_promise_and_a_qr_code_of_the_status_link(
    frontdesk, estate, unit
):
    complaint = log_complaint(frontdesk, estate=estate, unit=unit, channel="walk_in")

    response = signed_in(frontdesk, "zh-hans").get(f"/complaints/{complaint.reference}/receipt/")

    body = text(response)
    assert response.status_code == 200
    for expected in ("海悦花园", complaint.reference, "投诉受理回执", "电梯停运", "打印"):
        assert expected in body
    assert re.search(r"我们将在 .+ 前给您回电，告知处理安排。", body)
    svg = re.search(r'<svg viewBox="[^"]+" class="desk-qr"><title>([^<]+)</title><path ', body)
    assert svg, "an inline SVG QR code"
    url = re.search(r'data-testid="receipt-url">([^<]+)<', body)[1]
    assert html.unescape(svg[1]) == html.unescape(url)
    token = re.fullmatch(r"http://127\.0\.0\.1:8000/s/([^/]+)/", html.unescape(url))[1]
    assert complaint_for_token(token) == complaint
    assert 'href="/static/css/receipt.css"' in body


def test_the_complaint_page_links_to_its_receipt(frontdesk, estate):
    complaint = log_complaint(frontdesk, estate=estate)

    body = text(signed_in(frontdesk).get(f"/complaints/{complaint.reference}/"))

    assert f'href="/complaints/{complaint.reference}/receipt/"' in body
    assert "Print receipt" in body


def test_another_estate_s_staff_find_no_receipt(frontdesk, frontdesk_b, estate):
    complaint = log_complaint(frontdesk, estate=estate)

    response = signed_in(frontdesk_b).get(f"/complaints/{complaint.reference}/receipt/")
    anonymous = Client().get(f"/complaints/{complaint.reference}/receipt/")

    assert response.status_code == 404
    assert "There is nothing here that you may see." in text(response)
    assert "电梯停运" not in text(response)
    assert "desk-qr" not in text(response)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")
