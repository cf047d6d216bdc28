"""Every word of the messages a missed deadline sends: one row per person of the level, in that
person's language, each whole and each with its own key, even when several read the same
language."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings

from complaints.models import Escalation
from complaints.services.sweep import sweep_run
from notifications.models import Notification
from tests.factories import log_complaint, make_staff

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Friday, 10:00 in Shanghai: inside the default opening hours.
MORNING = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db

FIELDS = (
    "recipient_id", "audience", "channel", "address", "language", "kind", "subject", "body",
    "params", "urgent", "status", "dedupe_key", "not_before",
)  # fmt: skip
ZH = [
    "督办升至 1 级：超时。",
    "",
    "投诉：{ref}",
    "小区：海悦花园，3号楼2单元-1201",
    "类别：电梯",
    "摘要：电梯困人",
    "查看：{url}",
]
EN = [
    "Escalated to level 1: deadline missed.",
    "",
    "Complaint: {ref}",
    "Estate: 海悦花园, 3号楼2单元-1201",
    "Category: Lifts",
    "Summary: 电梯困人",
    "Open it: {url}",
]


def _in_english(username, estate):
    user = make_staff(username, role="supervisor", estates=[estate])
    user.email = f"{username}@example.com"
    user.save()
    user.staff_member.language = "en"
    user.staff_member.save()
    return user


def test_a_missed_acknowledgement_tells_each_supervisor_every_word_in_their_language(
    frontdesk, supervisor, estate, unit, resident
):
    english = [_in_english("zhuguan_en", estate), _in_english("zhuguan_en2", estate)]
    with time_machine.travel(MORNING, tick=False):
        complaint = log_complaint(
            frontdesk,
            estate=estate,
            unit=unit,
            resident=resident,
            severity="urgent",
            summary="电梯困人",
        )
    now = MORNING + dt.timedelta(minutes=16)
    with time_machine.travel(now, tick=False):
        sweep_run(now=now)

    escalation = Escalation.objects.get(complaint=complaint)
    ref = complaint.reference
    url = f"{settings.DESK_BASE_URL}/complaints/{ref}/"
    written = list(
        Notification.objects.filter(complaint=complaint, kind="escalation")
        .order_by("recipient_id")
        .values(*FIELDS)
    )
    readers = [(supervisor, "zh-hans", f"[督办升至 1 级] {ref} 电梯困人", ZH)] + [
        (user, "en", f"[Escalated to level 1] {ref} 电梯困人", EN) for user in english
    ]
    assert written == [
        {
            "recipient_id": user.pk,
            "audience": "staff",
            "channel": "email",
            "address": user.email,
            "language": language,
            "kind": "escalation",
            "subject": subject,
            "body": "\n".join(body).format(ref=ref, url=url),
            "params": {},
            "urgent": False,
            "status": "queued",
            "dedupe_key": f"esc{escalation.pk}:r0:u{user.pk}",
            "not_before": now,
        }
        for user, language, subject, body in sorted(readers, key=lambda reader: reader[0].pk)
    ]
