"""The canned explanations (话术库): offered beside the explanation and the plan, for the
complaint's category, its top-level category and every category; edited in the admin."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from complaints.models import CannedExplanation, Category
from demo.canned import CANNED, demo_canned_create
from tests.complaints.helpers import complaint_at
from tests.complaints.page_helpers import (
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


def canned(code: str | None, title: str, *, order: int = 0, active: bool = True):
    category = Category.objects.get(code=code) if code else None
    return CannedExplanation.objects.create(
        category=category, title=title, text=f"{title}：<说明>", order=order, active=active
    )


def offered(body: str, field_id: str) -> list[str]:
    """The titles the picker of ``field_id`` offers, in order."""
    match = re.search(
        rf'<select class="form-select" id="{field_id}_canned">(.*?)</select>', body, re.S
    )
    assert match, f"no canned explanations beside {field_id}"
    return re.findall(r"<option [^>]*>(.*?)</option>", match[1])


@pytest.fixture
def library(db):
    canned(None, "已记录并限时回电", order=0)
    canned("QUAL", "维修基金使用流程", order=1)
    canned("QUAL-LEAK", "楼上渗漏需先查明来源", order=5)
    canned("QUAL-LEAK", "保修期内渗漏由开发商负责", order=2)
    canned("QUAL-LEAK", "已停用的说法", active=False)
    canned("FAC-MAILBOX", "信报箱由邮政统一安装")
    canned("QUAL-CRACK", "开裂的鉴定")


def test_the_explanation_and_the_plan_offer_the_categorys_canned_texts_only(
    supervisor, estate, library
):
    complaint = complaint_at("clarification", actor=supervisor, estate=estate, category="QUAL-LEAK")
    body = text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/"))
    expected = [
        "保修期内渗漏由开发商负责",
        "楼上渗漏需先查明来源",
        "维修基金使用流程",
        "已记录并限时回电",
    ]
    assert offered(body, "id_close_as_explained_explanation") == expected
    assert offered(body, "id_plan_resolution_plan") == expected
    for elsewhere in ("信报箱由邮政统一安装", "开裂的鉴定", "已停用的说法"):
        assert elsewhere not in body
    # Without the script, the same texts are listed to copy from, escaped.
    assert (
        body.count('<dd class="desk-canned-text">保修期内渗漏由开发商负责：&lt;说明&gt;</dd>') == 2
    )
    assert body.count('data-testid="canned"') == 2


def test_a_complaint_of_another_category_gets_its_own_and_the_general_ones(
    supervisor, estate, library
):
    complaint = complaint_at(
        "clarification", actor=supervisor, estate=estate, category="FAC-MAILBOX"
    )
    body = text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/"))
    assert offered(body, "id_plan_resolution_plan") == ["信报箱由邮政统一安装", "已记录并限时回电"]
    assert "维修基金使用流程" not in body


def test_no_library_no_picker(supervisor, estate):
    complaint = complaint_at("clarification", actor=supervisor, estate=estate)
    body = text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/"))
    assert 'data-testid="canned"' not in body


def test_the_admin_edits_them_per_category(django_user_model, library):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests")
    client = Client()
    client.force_login(admin)
    leak = Category.objects.get(code="QUAL-LEAK")
    page = text(client.get(f"/admin/complaints/category/{leak.pk}/change/"))
    assert "楼上渗漏需先查明来源" in page and "信报箱由邮政统一安装" not in page
    listing = text(
        client.get(f"/admin/complaints/cannedexplanation/?category__id__exact={leak.pk}")
    )
    assert "保修期内渗漏由开发商负责" in listing and "维修基金使用流程" not in listing


def test_the_demo_ships_a_dozen_once(db):
    demo_canned_create()
    demo_canned_create()
    assert CannedExplanation.objects.count() == len(CANNED) == 12
    mailbox = CannedExplanation.objects.get(title="信报箱由邮政统一安装")
    assert mailbox.category.code == "FAC-MAILBOX" and "邮政" in mailbox.text
