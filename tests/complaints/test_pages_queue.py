"""The escalation queue and the residents' pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from complaints.models import Complaint, Escalation
from complaints.services.sweep import sweep_run
from tests.complaints.api_helpers import client_for, instant
from tests.complaints.helpers import SHANGHAI, act
from tests.complaints.page_helpers import (
    NOW,
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)
from tests.factories import BuildingFactory, UnitFactory, log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


# --- the escalation queue -------------------------------------------------------------------


def test_the_queue_is_for_supervisors_and_managers(frontdesk, handler, supervisor, manager, estate):
    complaint = log_complaint(frontdesk, estate=estate, summary="业主很生气")
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="要求主管")
    assert signed_in(frontdesk).get("/escalations/").status_code == 403
    assert signed_in(handler).get("/escalations/").status_code == 403
    queue = text(signed_in(supervisor).get("/escalations/"))
    assert (
        complaint.reference in queue and "Resident unsatisfied" in queue and "138****5678" in queue
    )
    # Managers work level 2 and up.
    assert complaint.reference not in text(signed_in(manager).get("/escalations/"))
    act(Complaint.objects.get(), frontdesk, "escalate", reason="refused_time", note="")
    assert complaint.reference in text(signed_in(manager).get("/escalations/"))


def test_the_queue_puts_the_longest_waiting_first(frontdesk, supervisor, estate):
    first = log_complaint(frontdesk, estate=estate, summary="先")
    act(first, frontdesk, "escalate", reason="other", note="")
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        second = log_complaint(frontdesk, estate=estate, summary="后")
        act(second, frontdesk, "escalate", reason="other", note="")
        body = text(signed_in(supervisor).get("/escalations/"))
    assert body.index(first.reference) < body.index(second.reference)


def _queue(body: str) -> list[str]:
    """The references of the queue's cards, top to bottom."""
    pks = [int(pk) for pk in re.findall(r'href="/escalations/(\d+)/acknowledge/"', body)]
    references = dict(
        Escalation.objects.filter(pk__in=pks).values_list("pk", "complaint__reference")
    )
    return [references[pk] for pk in pks]


def test_the_most_overdue_comes_first_whether_a_deadline_or_a_resident_raised_it(
    frontdesk, supervisor, estate
):
    # 10:00: two urgent calls, to be acknowledged within 15 minutes; nobody does.
    slipped = [
        log_complaint(frontdesk, estate=estate, severity="urgent", summary=f"急{n}")
        for n in range(2)
    ]
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        unhappy_early = log_complaint(frontdesk, estate=estate, summary="早")
        act(unhappy_early, frontdesk, "escalate", reason="unsatisfied", note="")
    with time_machine.travel(NOW + dt.timedelta(minutes=20), tick=False):
        unhappy_late = log_complaint(frontdesk, estate=estate, summary="晚")
        act(unhappy_late, frontdesk, "escalate", reason="refused_time", note="")
    # The sweep notices the missed deadlines at 10:30: both overdue since 10:15, a tie.
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        assert [kind for _ref, kind, _level in sweep_run().escalated] == ["acknowledge"] * 2
    expected = [unhappy_early, *slipped, unhappy_late]
    overdue = [NOW + dt.timedelta(minutes=m) for m in (5, 15, 15, 20)]

    with time_machine.travel(NOW + dt.timedelta(minutes=40), tick=False):
        body = text(signed_in(supervisor).get("/escalations/"))
        rows = client_for(supervisor).get("/api/v1/escalations/", {"open": "true"}).json()
        everything = client_for(supervisor).get("/api/v1/escalations/").json()

    assert _queue(body) == [c.reference for c in expected]
    assert [row["complaint"] for row in rows] == [c.reference for c in expected]
    assert [instant(row["overdue_since"]) for row in rows] == overdue
    # Tied, by id: the order the sweep raised them in.
    tied = [row["id"] for row in rows[1:3]]
    assert tied == sorted(tied)
    # Without ``open``, the list (acknowledged ones too) stays in the order raised.
    assert [row["complaint"] for row in everything] == [
        c.reference for c in (unhappy_early, unhappy_late, *slipped)
    ]


def test_escalated_again_after_an_acknowledgement_it_waits_from_the_new_time(
    frontdesk, supervisor, manager, estate
):
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
    first = Escalation.objects.get()
    browser = signed_in(supervisor)
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        browser.post(f"/escalations/{first.pk}/acknowledge/", {"note": "已致电"})
        waiting = log_complaint(frontdesk, estate=estate, summary="等待中")
        act(waiting, frontdesk, "escalate", reason="unsatisfied", note="")
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        # Pushed up with the queue's own button, for the complaint page's action.
        browser.post(
            f"/complaints/{complaint.reference}/actions/escalate/",
            {"version": Complaint.objects.get(pk=complaint.pk).version, "reason": "other"},
        )
        queue = text(browser.get("/escalations/"))
        managers = text(signed_in(manager).get("/escalations/"))

    again = Escalation.objects.get(complaint=complaint, level=2)
    assert again.overdue_since == again.created_at == NOW + dt.timedelta(minutes=30)
    first.refresh_from_db()
    assert first.acknowledged_by == supervisor and first.overdue_since == NOW
    # Behind the one waiting since 10:10, although the complaint was first raised at 10:00.
    assert _queue(queue) == [waiting.reference, complaint.reference]
    assert f'href="/escalations/{again.pk}/acknowledge/"' in queue
    assert complaint.reference in managers and waiting.reference not in managers


def _form(body: str, escalation: Escalation) -> str:
    start = body.index(f'action="/escalations/{escalation.pk}/acknowledge/"')
    return body[start : body.index("</form>", start)]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ("New callback time", "Assign to", "Note", "Acknowledge")),
        ("zh-hans", ("新的回电时间", "分派给", "备注", "确认")),
    ],
)
def test_each_card_has_its_own_acknowledge_form_with_its_estates_people(
    frontdesk, frontdesk_b, supervisor, handler, estate, other_estate, language, labels
):
    handler.first_name, handler.last_name = "伟</b>", "<b>张"
    handler.save()
    here = log_complaint(frontdesk, estate=estate)
    act(here, frontdesk, "escalate", reason="unsatisfied", note="")
    there = log_complaint(frontdesk_b, estate=other_estate)
    act(there, frontdesk_b, "escalate", reason="unsatisfied", note="")

    browser = signed_in(supervisor, language)
    queue = text(browser.get("/escalations/"))
    # Each card links to its own form, fetched into the card when opened.
    forms, body = {}, ""
    for e in Escalation.objects.all():
        assert f'href="/escalations/{e.pk}/acknowledge/"' in queue
        answer = browser.get(f"/escalations/{e.pk}/acknowledge/", HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
        body += text(answer)
        forms[e.complaint_id] = _form(body, e)
    for complaint in (here, there):
        escalation = Escalation.objects.get(complaint=complaint)
        form = forms[complaint.pk]
        assert f'<form method="post" action="/escalations/{escalation.pk}/acknowledge/"' in body
        assert form.count('name="csrfmiddlewaretoken"') == 1
        for name, label in zip(("callback_due_at", "assignee", "note"), labels, strict=False):
            field_id = f"id_{escalation.pk}_{name}"
            assert f'<label for="{field_id}" class="form-label">{label}</label>' in form
            assert f'name="{name}"' in form and body.count(f'id="{field_id}"') == 1
        assert 'type="datetime-local" name="callback_due_at"' in form
        assert 'maxlength="5000"' in form
        assert labels[3] in form
    # Each estate's own people, named as text.
    person = '<option value="handler">&lt;b&gt;张伟&lt;/b&gt; ('
    assert person in forms[here.pk] and person not in forms[there.pk]
    assert '<option value="frontdesk_b">' in forms[there.pk]
    assert '<option value="frontdesk_b">' not in forms[here.pk]
    assert "<b>张" not in body
    # No acknowledge form is drawn up front.
    assert not any(f'id="id_{e.pk}_callback_due_at"' in queue for e in Escalation.objects.all())


def test_acknowledging_from_the_queue(frontdesk, supervisor, handler, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
    escalation = Escalation.objects.get()
    browser = signed_in(supervisor)
    response = browser.post(
        f"/escalations/{escalation.pk}/acknowledge/",
        {"callback_due_at": "2026-03-10T15:00", "assignee": "handler", "note": "我来跟进"},
        follow=True,
    )
    assert f"Escalation of {complaint.reference} acknowledged." in text(response)
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == supervisor
    fresh = Complaint.objects.get()
    assert fresh.assignee == handler
    agreed = fresh.deadlines.get(kind="agreed_callback")
    assert agreed.due_at == dt.datetime(2026, 3, 10, 15, 0, tzinfo=SHANGHAI)
    again = browser.post(f"/escalations/{escalation.pk}/acknowledge/", {}, follow=True)
    assert "already acknowledged" in text(again)
    assert (
        signed_in(frontdesk).post(f"/escalations/{escalation.pk}/acknowledge/").status_code == 403
    )


def test_escalating_further_from_the_queue(frontdesk, supervisor, manager, estate):
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
    queue = text(signed_in(supervisor).get("/escalations/"))
    assert f'action="/complaints/{complaint.reference}/actions/escalate/"' in queue
    assert "Settle it on the complaint page" in queue

    signed_in(supervisor).post(
        f"/complaints/{complaint.reference}/actions/escalate/",
        {"version": Complaint.objects.get().version, "reason": "other", "note": "升级"},
    )

    assert Complaint.objects.get().escalation_level == 2
    assert complaint.reference in text(signed_in(manager).get("/escalations/"))


# --- residents ------------------------------------------------------------------------------


def test_residents_are_found_by_name_phone_or_unit(frontdesk, frontdesk_b, estate, unit, resident):
    browser = signed_in(frontdesk)
    for q in ("王芳", "5678", "13812345678", "1201", "3号楼2单元-1201"):
        body = text(browser.get("/residents/", {"q": q}))
        assert f'href="/residents/{resident.pk}/"' in body, q
        assert "13812345678" not in body.split('data-testid="residents"')[1]
    assert 'data-testid="empty"' in text(browser.get("/residents/", {"q": "没有这个人"}))
    assert f"/residents/{resident.pk}/" not in text(signed_in(frontdesk_b).get("/residents/"))
    assert signed_in(frontdesk_b).get(f"/residents/{resident.pk}/").status_code == 404


def test_a_residents_page_shows_units_and_visible_history(
    frontdesk, supervisor, estate, other_estate, unit, resident
):
    here = log_complaint(frontdesk, estate=estate, unit=unit, resident=resident, summary="这里")
    elsewhere_unit = UnitFactory(building=BuildingFactory(estate=other_estate), room="808")
    resident.units.add(elsewhere_unit)
    there = log_complaint(supervisor, estate=other_estate, resident=resident, summary="那里")
    body = text(signed_in(frontdesk).get(f"/residents/{resident.pk}/"))
    assert here.reference in body and there.reference not in body
    assert "3号楼2单元-1201" in body and "808" not in body
    both = text(signed_in(supervisor).get(f"/residents/{resident.pk}/"))
    assert here.reference in both and there.reference in both


def test_handlers_do_not_search_residents(handler):
    assert signed_in(handler).get("/residents/").status_code == 403


def test_the_queue_reads_in_a_bounded_number_of_queries(frontdesk, supervisor, estate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(6):
        complaint = log_complaint(frontdesk, estate=estate, summary=f"第{n}件")
        act(complaint, frontdesk, "escalate", reason="other", note="")
    browser = signed_in(supervisor)
    with CaptureQueriesContext(connection) as queries:
        body = text(browser.get("/escalations/"))
    assert body.count('data-testid="escalation"') == 6
    assert len(queries) <= 15


# --- notifications --------------------------------------------------------------------------


def test_the_bell_counts_unread_messages_and_the_inbox_clears_them(frontdesk, supervisor, estate):
    complaint = log_complaint(frontdesk, estate=estate, severity="urgent")
    browser = signed_in(supervisor)

    page = text(browser.get("/complaints/"))
    assert 'data-testid="unread-badge">1<' in page
    inbox = text(browser.get("/notifications/"))
    assert complaint.reference in inbox
    assert "Mark all read" in inbox

    cleared = text(browser.post("/notifications/", follow=True))
    assert "1 messages marked read." in cleared
    assert 'data-testid="unread-badge"' not in cleared
    assert 'data-testid="unread-badge"' not in text(signed_in(frontdesk).get("/complaints/"))


def test_a_missed_deadline_reads_in_words_without_its_code(frontdesk, supervisor, estate):
    with time_machine.travel(NOW, tick=False):
        complaint = log_complaint(frontdesk, estate=estate, severity="urgent")
    sweep_run(now=NOW + dt.timedelta(minutes=20))

    with time_machine.travel(NOW + dt.timedelta(minutes=21), tick=False):
        chinese = text(signed_in(supervisor, "zh-hans").get("/escalations/"))

    card = chinese.split(complaint.reference, 1)[1].split("</article>", 1)[0]
    assert "受理" in card
    # The code ``acknowledge`` (the missed deadline's kind) is not shown as such.
    words = card.replace("/acknowledge/", "")
    assert "acknowledge" not in words


def test_the_acknowledge_form_is_a_page_of_its_own_without_javascript_and_scoped_as_the_queue(
    frontdesk, frontdesk_b, supervisor, estate, other_estate
):
    complaint = log_complaint(frontdesk, estate=estate)
    act(complaint, frontdesk, "escalate", reason="unsatisfied", note="")
    escalation = Escalation.objects.get()

    page = signed_in(supervisor, "zh-hans").get(f"/escalations/{escalation.pk}/acknowledge/")
    body = text(page)
    assert page.status_code == 200
    assert f"确认 {complaint.reference} 的督办" in body
    assert f'action="/escalations/{escalation.pk}/acknowledge/"' in body
    assert 'href="/escalations/"' in body
    # Who may not acknowledge it may not open its form either.
    forbidden = signed_in(frontdesk).get(f"/escalations/{escalation.pk}/acknowledge/")
    assert forbidden.status_code == 403
    assert signed_in(supervisor).get("/escalations/999999/acknowledge/").status_code == 404
