"""Complaints placed in time through the real services, around ISO week 2026-W47.

2026-W47 runs from Monday 16 November 2026 00:00 to Monday 23 November 00:00 on each estate's
wall clock: in Asia/Shanghai that is 15 Nov 16:00 to 22 Nov 16:00 UTC.
"""

import datetime as dt
import zoneinfo

import time_machine

from complaints.models import Complaint
from complaints.services import complaint_act
from complaints.services.ratings import complaint_rate
from reports.iso_weeks import IsoWeek
from reports.summary import weekly_summary
from tests.factories import log_complaint

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LONDON = zoneinfo.ZoneInfo("Europe/London")
WEEK = IsoWeek(2026, 47)


def shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


# Wednesday of W47, 10:00 in Shanghai: inside opening hours.
WEDNESDAY = shanghai(2026, 11, 18, 10, 0)
AFTER_THE_WEEK = shanghai(2026, 11, 25, 10, 0)


def receive(actor, estate, moment: dt.datetime, **fields) -> Complaint:
    with time_machine.travel(moment, tick=False):
        return log_complaint(actor, estate=estate, **fields)


def act(moment: dt.datetime, complaint: Complaint, actor, action: str, **data) -> Complaint:
    with time_machine.travel(moment, tick=False):
        return complaint_act(reference=complaint.reference, actor=actor, action=action, data=data)


def explain_invalid(complaint, actor, moment: dt.datetime) -> Complaint:
    """Accepted and closed as explained (invalid) at ``moment``."""
    act(moment - dt.timedelta(minutes=5), complaint, actor, "accept")
    return act(
        moment,
        complaint,
        actor,
        "close_as_explained",
        validity="invalid",
        explanation="属于市政供水，不在物业责任范围",
    )


def resolve(complaint, frontdesk, supervisor, moment: dt.datetime) -> Complaint:
    """Accepted and planned an hour before ``moment``, marked resolved at ``moment``."""
    planned = moment - dt.timedelta(hours=1)
    act(planned - dt.timedelta(minutes=5), complaint, frontdesk, "accept")
    act(
        planned,
        complaint,
        frontdesk,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan="工程部检修",
        callback_due_at=planned + dt.timedelta(days=10),
    )
    return act(
        moment,
        complaint,
        supervisor,
        "mark_resolved",
        outcome="已修复",
        cause="部件老化",
        liability="ours",
    )


def close(complaint, actor, moment: dt.datetime, satisfaction: str = "satisfied") -> Complaint:
    return act(moment, complaint, actor, "close", satisfaction=satisfaction, summary="回访完成")


def rate(complaint, moment: dt.datetime, rating: str, comment: str = "") -> Complaint:
    """The resident's own rating from the rating page, at ``moment``."""
    with time_machine.travel(moment, tick=False):
        return complaint_rate(complaint_id=complaint.pk, rating=rating, comment=comment)


def summary(reader=None, estate=None, week=WEEK, now=None) -> dict:
    with time_machine.travel(now or AFTER_THE_WEEK, tick=False):
        return weekly_summary(reader=reader, week=week, estate=estate)


def total(reader=None, **kwargs) -> dict:
    return summary(reader, **kwargs)["total"]


def category_row(report: dict, code: str) -> dict:
    return next(row for row in report["categories"] if row["code"] == code)
