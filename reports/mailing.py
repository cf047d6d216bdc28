"""The Monday email: each manager gets the week just ended for the estates they cover.

Due once Monday ``DESK_WEEKLY_EMAIL_HOUR`` (08:00) has come on the wall clock of every estate
the manager covers, so each estate's week has ended; missed runs catch up for a day, and never
send an older week. A WeeklyReportDelivery row (unique per manager and week) is claimed in a
short transaction before the send and marked sent after it; the send itself runs outside any
transaction. A claim left by a sender that died is taken over once its lease has run out.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import exports
from reports.figures import FIGURE_LABELS, FIGURES
from reports.formatting import display, quality_table
from reports.iso_weeks import IsoWeek
from reports.models import WeeklyReportDelivery
from reports.snapshots import weekly_report, weekly_reports_prepare
from residents.names import names_list
from staff.roles import MANAGER

logger = logging.getLogger(__name__)

# The week's building-wide incidents as the email lists them: the exports' columns, named.
INCIDENT_FIELDS = (
    "reference",
    "title",
    "estate",
    "category",
    "buildings",
    "opened",
    "resolved",
    "linked",
)
CATCH_UP = dt.timedelta(days=1)
LEASE = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5


def send_time(week: IsoWeek, zones: set[str]) -> dt.datetime:
    """When ``week``'s email is due: the Monday after, at the set hour, in the latest zone."""
    monday = week.shifted(1).monday
    hour = dt.time(settings.DESK_WEEKLY_EMAIL_HOUR)
    return max(dt.datetime.combine(monday, hour, tzinfo=zoneinfo.ZoneInfo(z)) for z in zones)


def due_week(zones: set[str], now: dt.datetime) -> IsoWeek | None:
    """The week whose email is due now, or None (too early, or more than a day late)."""
    this_week = IsoWeek.of(now.astimezone(dt.UTC).date())
    for week in (this_week.shifted(-1), this_week.shifted(-2)):
        due = send_time(week, zones)
        if due <= now:
            return week if now < due + CATCH_UP else None
    return None


def managers():
    """Active managers with an address and the estates they cover."""
    return (
        get_user_model()
        .objects.filter(groups__name=MANAGER, is_active=True, staff_member__isnull=False)
        .exclude(email="")
        .select_related("staff_member")
        .prefetch_related("staff_member__estates")
        .distinct()
        .order_by("pk")
    )


def _claim(manager: User, week: IsoWeek, now: dt.datetime) -> WeeklyReportDelivery | None:
    """This sender's delivery row, or None when the email is sent or someone else is sending."""
    language = manager.staff_member.language
    try:
        with transaction.atomic():
            return WeeklyReportDelivery.objects.create(
                manager=manager,
                week=str(week),
                address=manager.email,
                language=language,
                claimed_at=now,
            )
    except IntegrityError:
        pass
    taken = WeeklyReportDelivery.objects.filter(
        manager=manager,
        week=str(week),
        sent_at__isnull=True,
        claimed_at__lt=now - LEASE,
        attempts__lt=MAX_ATTEMPTS,
    ).update(claimed_at=now)
    return WeeklyReportDelivery.objects.get(manager=manager, week=str(week)) if taken else None


def weekly_email(*, manager: User, week: IsoWeek) -> EmailMultiAlternatives:
    """The email in the manager's language: HTML and plain text, the CSV attached."""
    with translation.override(manager.staff_member.language):
        report = weekly_report(reader=manager, week=week)
        link = f"{settings.DESK_BASE_URL}{reverse('reports:weekly')}?week={week}"
        headers = [str(FIGURE_LABELS[n]) for n in FIGURES]
        rows = [
            {
                "label": row["name"],
                "values": [display(n, row[n]) for n in FIGURES],
                "quiet": all(row[n] in (0, None) for n in FIGURES),
            }
            for row in report["categories"]
        ]
        rows.append(
            {"label": _("Total"), "values": [display(n, report["total"][n]) for n in FIGURES]}
        )
        rows.append(
            {
                "label": _("Previous week (%(week)s)") % {"week": report["previous_week"]},
                "values": [display(n, report["previous_total"][n]) for n in FIGURES],
            }
        )
        context = {
            "report": report,
            "manager": manager,
            "link": link,
            "headers": headers,
            "rows": rows,
            # The plain text leaves out the categories with nothing to report.
            "lines": [
                {"label": row["label"], "pairs": list(zip(headers, row["values"], strict=True))}
                for row in rows
                if not row.get("quiet")
            ],
            "estates": names_list(e["name"] for e in report["estates"]),
            "quality": quality_table(report),
            "incidents": [
                dict(zip(INCIDENT_FIELDS, row, strict=True))
                for row in exports.incident_rows(report)
            ],
        }
        subject = _("Weekly complaint summary %(week)s: %(estates)s") % {
            "week": report["week"],
            "estates": context["estates"],
        }
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split())[:200],
            body=render_to_string("reports/email/weekly.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[manager.email],
        )
        html = render_to_string("reports/email/weekly.html", context)
        message.attach_alternative(html, "text/html")
        message.attach(exports.filename(report, "csv"), exports.csv_text(report), "text/csv")
    return message


def weekly_summaries_send(*, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Send every weekly email due now; returns (username, week) of those sent.

    First, every hour, the week just ended is stored (or found stored) for the estates the
    supervisors and managers read, so that Monday's page and emails read it from storage,
    and a week made stale by a late entry is computed again before anyone asks."""
    now = now or timezone.now()
    weekly_reports_prepare()
    sent = []
    for manager in managers():
        zones = {estate.time_zone for estate in manager.staff_member.estates.all()}
        week = due_week(zones, now) if zones else None
        if week is None:
            continue
        delivery = _claim(manager, week, now)
        if delivery is None:
            continue
        try:
            weekly_email(manager=manager, week=week).send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - recorded and retried next hour
            WeeklyReportDelivery.objects.filter(pk=delivery.pk).update(
                attempts=delivery.attempts + 1, last_error=repr(exc)[:300]
            )
            logger.warning("Weekly summary %s to %s failed: %r", week, manager.pk, exc)
            continue
        WeeklyReportDelivery.objects.filter(pk=delivery.pk).update(
            sent_at=timezone.now(), attempts=delivery.attempts + 1, last_error=""
        )
        sent.append((manager.get_username(), str(week)))
    return sent
