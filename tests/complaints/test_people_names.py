"""Colleagues by their full names: pages, pickers, the export and the API, with the username
only on hover and where the name is not set."""

from __future__ import annotations

import csv
import io
import re

import pytest

from complaints.models import Complaint, Escalation
from tests.complaints.helpers import act, valid_data
from tests.complaints.page_helpers import (
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import log_complaint, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]

CHEN = '<span title="handler">陈小明</span>'
WANG = '<span title="frontdesk">王芳</span>'


def _name(user, family: str, given: str):
    user.last_name, user.first_name = family, given
    user.save(update_fields=["last_name", "first_name"])
    return user


@pytest.fixture
def named(frontdesk, handler, estate):
    """The front desk is 王芳 and the handler 陈小明; the supervisor has no name set."""
    return _name(frontdesk, "王", "芳"), _name(handler, "陈", "小明")


@pytest.fixture
def handled(named, supervisor, estate) -> Complaint:
    """Logged by 王芳, handed to engineering and assigned to 陈小明, called back once and
    escalated by the front desk."""
    frontdesk, _handler = named
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, frontdesk, "accept")
    act(complaint, frontdesk, "plan_resolution", **valid_data("plan_resolution"))
    act(complaint, supervisor, "assign", assignee="handler")
    act(complaint, frontdesk, "log_callback", reached=True, note="业主同意下午上门")
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="业主要求主管处理")
    return Complaint.objects.get(pk=complaint.pk)


def test_the_complaint_page_names_people_with_the_username_on_hover(handled, supervisor):
    page = text(signed_in(supervisor).get(f"/complaints/{handled.reference}/"))

    assert f"logged by {WANG}" in page
    facts = page.split('id="facts-heading"')[1].split("</section>")[0]
    assert CHEN in facts
    callbacks = page.split('data-testid="callbacks"')[1].split("</ul>")[0]
    assert WANG in callbacks and "frontdesk ·" not in callbacks
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    # Logged, accepted, planned, called back and escalated by the front desk.
    assert timeline.count(WANG) == 5
    # The assignment: by the supervisor, who has no name, and to 陈小明 by name.
    assert '<span title="supervisor">supervisor</span>' in timeline
    assert "<dd>— → 陈小明</dd>" in timeline
    signed_in_as = page.split('data-testid="signed-in-as">')[1][:200]
    assert '<span title="supervisor">supervisor</span>' in signed_in_as


def test_the_navbar_names_the_signed_in_colleague(named, estate):
    frontdesk, _handler = named
    page = text(signed_in(frontdesk).get("/complaints/"))
    assert WANG in page.split('data-testid="signed-in-as">')[1][:200]


def test_the_queue_shows_the_assignee_by_name(handled, supervisor):
    queue = text(signed_in(supervisor).get("/escalations/"))
    card = queue.split('data-testid="escalation"')[1]
    assert f'<dd data-testid="assignee">{CHEN}</dd>' in card


def test_pickers_offer_people_by_name_in_pinyin_order(named, supervisor, estate):
    """陈 (chen) before 李 (li) before 王 (wang), and 曾 read as a family name (zeng), last;
    someone with no name by their username, among the names by its letters."""
    for username, family, given in (("eng_w", "王", "伟"), ("eng_z", "曾", "强")):
        _name(
            make_staff(username, role="handler", department="ENG", estates=[estate]), family, given
        )
    make_staff("eng_l", role="handler", department="ENG", estates=[estate])
    _name(make_staff("eng_li", role="handler", department="ENG", estates=[estate]), "李", "娜")
    frontdesk, _handler = named
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, frontdesk, "accept")
    act(complaint, frontdesk, "plan_resolution", **valid_data("plan_resolution"))
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")

    # The queue card's acknowledge form, as it is fetched into the card.
    escalation = complaint.escalations.get()
    queue = text(
        signed_in(supervisor).get(f"/escalations/{escalation.pk}/acknowledge/", HTTP_HX_REQUEST="1")
    )
    options = queue.split('name="assignee"')[1].split("</select>")[0]
    page = text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/"))
    assign = page.split('id="id_assign_assignee"')[1].split("</select>")[0]

    for select in (options, assign):
        labels = re.findall(r'<option value="[^"]+">([^<]*) \(Engineering\)</option>', select)
        assert labels == ["陈小明", "eng_l", "李娜", "王伟", "曾强"]


def test_the_csv_export_gives_the_assignee_by_name(handled, frontdesk):
    response = signed_in(frontdesk).get("/complaints/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Assignee"] == "陈小明"


def test_the_api_gives_names_beside_usernames(handled, supervisor, api):
    client = api.as_user(supervisor)
    complaint = client.get(f"/api/v1/complaints/{handled.reference}/").json()
    assert (complaint["assignee"], complaint["assignee_name"]) == ("handler", "陈小明")
    listed = client.get("/api/v1/complaints/").json()["results"][0]
    assert (listed["assignee"], listed["assignee_name"]) == ("handler", "陈小明")

    events = client.get(f"/api/v1/complaints/{handled.reference}/events/").json()
    actors = {(event["actor"], event["actor_name"]) for event in events}
    assert actors == {("frontdesk", "王芳"), ("supervisor", "supervisor")}

    escalation = Escalation.objects.get(complaint=handled)
    assert client.post(f"/api/v1/escalations/{escalation.pk}/acknowledge/").status_code == 200
    rows = client.get("/api/v1/escalations/").json()
    row = next(row for row in rows if row["id"] == escalation.pk)
    assert (row["acknowledged_by"], row["acknowledged_by_name"]) == ("supervisor", "supervisor")


def test_an_unassigned_complaint_has_no_assignee_name(frontdesk, estate, api):
    complaint = log_complaint(frontdesk, estate=estate)
    body = api.as_user(frontdesk).get(f"/api/v1/complaints/{complaint.reference}/").json()
    assert body["assignee"] is None and body["assignee_name"] is None


def test_the_schema_describes_the_names(supervisor, api):
    schema = api.as_user(supervisor).get("/api/schema/?format=json").json()["components"]
    properties = {
        name: schema["schemas"][name]["properties"] for name in ("Complaint", "Event", "Escalation")
    }
    for component, field in (
        ("Complaint", "assignee_name"),
        ("Event", "actor_name"),
        ("Escalation", "acknowledged_by_name"),
    ):
        described = properties[component][field]
        assert described["type"] == "string" and described["nullable"] is True
        assert described["readOnly"] is True


def test_names_in_the_timeline_cost_one_query_however_many_assignments(
    handled, supervisor, estate, django_assert_max_num_queries
):
    """Each hand-over names two people by username: all of them are read together."""
    browser = signed_in(supervisor)
    url = f"/complaints/{handled.reference}/"
    browser.get(url)
    with django_assert_max_num_queries(100) as few:
        browser.get(url)
    for username in ("eng_a", "eng_b", "eng_c"):
        make_staff(username, role="handler", department="ENG", estates=[estate])
        act(Complaint.objects.get(pk=handled.pk), supervisor, "assign", assignee=username)
    with django_assert_max_num_queries(100) as many:
        page = text(browser.get(url))
    assert "<dd>eng_b → eng_c</dd>" in page and "<dd>陈小明 → eng_a</dd>" in page
    assert len(many) == len(few)
