"""A colleague's name as it is written: family name first for a Chinese name, "First Last"
for a Latin one, the username when none is set; lists in pinyin order."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template

from demo.world import STAFF
from staff.models import Department
from staff.names import people_in_name_order, person_name, person_names_of


def _user(username: str, family: str = "", given: str = "") -> User:
    return User(username=username, last_name=family, first_name=given)


@pytest.mark.parametrize(
    ("family", "given", "shown"),
    [
        ("陈", "小明", "陈小明"),
        ("欧阳", "娜娜", "欧阳娜娜"),
        ("", "王芳", "王芳"),  # the whole name kept in one field
        ("Schmidt", "Anna", "Anna Schmidt"),
        ("", "Anna", "Anna"),
        (" ", " ", "frontdesk"),
        ("", "", "frontdesk"),
    ],
)
def test_a_name_is_written_as_its_language_writes_it(family, given, shown):
    assert person_name(_user("frontdesk", family, given)) == shown


def test_nobody_has_no_name():
    assert person_name(None) == ""


def test_people_are_listed_in_pinyin_order_with_family_names_read_as_such():
    people = [
        _user("w", "王", "伟"),
        _user("z", "曾", "强"),  # zeng as a family name, not ceng
        _user("l", "李", "娜"),
        _user("c", "陈", "小明"),
        _user("s", "单", "磊"),  # shan, not dan
        _user("anna", "Schmidt", "Anna"),
        _user("frontdesk"),
    ]
    assert [person_name(p) for p in people_in_name_order(people)] == [
        "Anna Schmidt",
        "陈小明",
        "frontdesk",
        "李娜",
        "单磊",
        "王伟",
        "曾强",
    ]


def test_the_template_filter_shows_the_name_and_the_username_on_hover_escaped():
    template = Template(
        "{% load people %}{{ user|person }}|{{ user|person_name }}|{{ none|person }}"
    )
    hostile = _user('<b>"x"', "<i>陈", "小明</i>")
    rendered = template.render(Context({"user": hostile, "none": None}))
    assert rendered == (
        '<span title="&lt;b&gt;&quot;x&quot;">&lt;i&gt;陈小明&lt;/i&gt;</span>'
        "|&lt;i&gt;陈小明&lt;/i&gt;|"
    )


@pytest.mark.django_db
def test_names_are_read_for_many_usernames_at_once(django_assert_num_queries):
    User.objects.create(username="handler", last_name="张", first_name="伟")
    User.objects.create(username="supervisor")
    with django_assert_num_queries(1):
        names = person_names_of(["handler", "supervisor", "gone", ""])
    assert names == {"handler": "张伟", "supervisor": "supervisor"}
    with django_assert_num_queries(0):
        assert person_names_of(["", ""]) == {}


def test_every_demo_colleague_has_a_chinese_full_name():
    names = {
        plan.username: person_name(_user(plan.username, plan.family_name, plan.given_name))
        for plan in STAFF
    }
    assert names["manager"] == "陈建国" and names["frontdesk"] == "王芳"
    assert all(name != username and len(name) >= 2 for username, name in names.items())


@pytest.mark.django_db
def test_the_admin_offers_department_supervisors_by_name_in_pinyin_order(client):
    admin = User.objects.create_superuser("admin", password="demo")
    for username, family, given in (("w", "王", "芳"), ("c", "陈", "建国"), ("l", "李", "娜")):
        User.objects.create(username=username, last_name=family, first_name=given)
    client.force_login(admin)
    department = Department.objects.get(code="ENG")
    page = client.get(f"/admin/staff/department/{department.pk}/change/").content.decode()
    select = page.split('name="supervisor"')[1].split("</select>")[0]
    labels = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select)
    assert labels == ["admin (admin)", "陈建国 (c)", "李娜 (l)", "王芳 (w)"]
    chosen = User.objects.get(username="l")
    body = {"code": "ENG", "name_zh": "工程部", "name_en": "Engineering", "supervisor": chosen.pk}
    saved = client.post(f"/admin/staff/department/{department.pk}/change/", body)
    assert saved.status_code == 302
    assert Department.objects.get(pk=department.pk).supervisor == chosen
