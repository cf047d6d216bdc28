"""The outbox: notifications are rows written with the change that causes them, and sent
after commit by the worker. A broker outage delays them; it never loses or blocks them."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.channels import channel_for
from complaints.clock import BusinessCalendar, calendar_for_estate
from complaints.models import (
    Complaint,
    DeadlineKind,
    EscalationReason,
    Notification,
    Severity,
)
from staff.roles import FRONT_DESK, MANAGER, SUPERVISOR

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _one_line(text: str, limit: int = 200) -> str:
    """Header-safe: no CR/LF can reach an email subject."""
    return " ".join(str(text).split())[:limit]


def staff_for_level(*, estate_id: int, level: int) -> list:
    """Who answers at an escalation level: 0 the desk, 1 supervisors, 2 managers, 3 managers
    and the company's quality department (the superusers)."""
    User = get_user_model()
    role = {0: FRONT_DESK, 1: SUPERVISOR}.get(level, MANAGER)
    people = Q(groups__name=role, staff_member__estates=estate_id)
    if level >= 3:
        people |= Q(is_superuser=True)
    return list(
        User.objects.filter(people, is_active=True).select_related("staff_member").distinct()
    )


def _staff_language(user) -> str:
    member = getattr(user, "staff_member", None)
    return member.language if member else settings.LANGUAGE_CODE


def complaint_url(complaint: Complaint) -> str:
    return f"{settings.DESK_BASE_URL}/complaints/{complaint.reference}/"


def _resident_not_before(complaint: Complaint, now: dt.datetime) -> dt.datetime:
    """Never inside the estate's quiet hours (which may span midnight)."""
    estate = complaint.estate
    local = now.astimezone(estate.zone)
    start, end = estate.quiet_from, estate.quiet_until
    clock = local.time()
    quiet = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return now
    wake = dt.datetime.combine(local.date(), end, tzinfo=estate.zone)
    if wake <= local:
        wake += dt.timedelta(days=1)
    return wake.astimezone(dt.UTC)


class Outbox:
    """Collects the messages of one transaction and writes them in one insert.

    Staff lists and calendars are looked up once per estate, so a sweep that escalates
    thousands of complaints does not ask the same questions thousands of times.
    """

    def __init__(self, *, calendars: dict[int, BusinessCalendar] | None = None) -> None:
        """``calendars``: estate id → calendar, for the estates whose calendar the caller
        has read already."""
        self.rows: list[Notification] = []
        self._staff: dict[tuple[int, int], list] = {}
        self._calendars: dict[int, BusinessCalendar] = dict(calendars or {})

    def staff(self, *, estate_id: int, level: int) -> list:
        key = (estate_id, level)
        if key not in self._staff:
            self._staff[key] = staff_for_level(estate_id=estate_id, level=level)
        return self._staff[key]

    def staff_not_before(self, complaint: Complaint, now: dt.datetime) -> dt.datetime:
        """Urgent alerts go at once; others wait for the estate's opening hours."""
        if complaint.severity == Severity.URGENT:
            return now
        if complaint.estate_id not in self._calendars:
            self._calendars[complaint.estate_id] = calendar_for_estate(complaint.estate)
        calendar = self._calendars[complaint.estate_id]
        return calendar.next_opening(now).astimezone(dt.UTC)

    def to_staff(self, *, complaint, users, kind, key, subject, body, now) -> None:
        """One message per person, in their language. ``subject``/``body`` are callables run
        with that language active; ``key`` makes a repeated message a no-op."""
        not_before = self.staff_not_before(complaint, now)
        for user in users:
            language = _staff_language(user)
            with translation.override(language):
                self.rows.append(
                    Notification(
                        complaint=complaint,
                        recipient=user,
                        audience=Notification.Audience.STAFF,
                        channel=Notification.Channel.EMAIL,
                        address=user.email or "",
                        language=language,
                        kind=kind,
                        subject=_one_line(subject()),
                        body=str(body()),
                        dedupe_key=f"{key}:u{user.pk}"[:120],
                        not_before=not_before,
                    )
                )

    def to_resident(self, *, complaint, kind, key, body, now) -> None:
        resident = complaint.resident
        phone = complaint.contact_phone or (resident.phone if resident else "")
        if not phone:
            return
        language = resident.language if resident else "zh-hans"
        with translation.override(language):
            text = str(body())
        self.rows.append(
            Notification(
                complaint=complaint,
                audience=Notification.Audience.RESIDENT,
                channel=Notification.Channel.SMS,
                address=phone,
                language=language,
                kind=kind,
                subject=_one_line(text, 100),
                body=text,
                dedupe_key=key[:120],
                not_before=_resident_not_before(complaint, now),
            )
        )

    def save(self) -> int:
        if not self.rows:
            return 0
        Notification.objects.bulk_create(self.rows, ignore_conflicts=True, batch_size=1000)
        count, self.rows = len(self.rows), []
        dispatch_on_commit()
        return count


def dispatch_on_commit() -> None:
    """After commit, ask the worker to send now. The request never waits on the broker:
    the publish runs in a thread, and if it fails the every-minute outbox task sends anyway."""
    transaction.on_commit(_publish_in_background)


def _publish_in_background() -> None:
    if getattr(settings, "DESK_PUBLISH_SYNC", False):
        _publish()
        return
    _publisher.wake()


# At most this many publishes a second per process: each tells the worker to send everything
# that is due, so one publish serves every commit that came before it.
PUBLISH_PAUSE_SECONDS = 0.2


def _publish() -> None:
    from complaints.tasks import send_notifications

    try:
        send_notifications.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the outbox run is the fallback; never surface this
        logger.warning("Broker unavailable; notifications wait for the next outbox run.")


class Publisher:
    """One daemon thread per process publishes the "send now" task for all its commits.

    A commit only sets an event (microseconds, never a wait on the broker). The thread clears
    the event and then publishes, so every commit is followed by a publish that starts after
    it; commits made while it publishes or pauses share the next one. Under load that is a few
    publishes a second instead of one per complaint, and a broker outage holds up one thread,
    not one thread per request.
    """

    def __init__(self, publish: Callable[[], None] = _publish) -> None:
        self._publish = publish
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="desk-publish", daemon=True
                    )
                    self._thread.start()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            self._publish()
            time.sleep(PUBLISH_PAUSE_SECONDS)


_publisher = Publisher()


def _publisher_reset() -> None:
    """A forked child (a web worker forked from a preloading master) has none of its parent's
    threads, and may have inherited a held lock: it starts its own publisher."""
    global _publisher
    _publisher = Publisher()


os.register_at_fork(after_in_child=_publisher_reset)


def _claim(*, now: dt.datetime, limit: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, not_before__lte=now, attempts__lt=MAX_ATTEMPTS)
            .order_by("not_before", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            # Claimed for a lease: a sender that dies mid-send leaves them to the next one.
            lease = dt.timedelta(seconds=settings.DESK_SEND_LEASE_SECONDS)
            Notification.objects.filter(id__in=ids).update(not_before=now + lease)
    return ids


def notifications_send(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due. Claiming is a short transaction; the network is outside it."""
    now = now or timezone.now()
    sent = 0
    for notification in Notification.objects.filter(id__in=_claim(now=now, limit=limit)):
        try:
            channel_for(notification.channel).send(notification)
        except Exception as exc:  # noqa: BLE001 - recorded on the row and retried
            attempts = notification.attempts + 1
            backoff = dt.timedelta(minutes=min(2**attempts, 60))
            Notification.objects.filter(pk=notification.pk).update(
                attempts=attempts,
                last_error=_one_line(repr(exc), 300),
                not_before=timezone.now() + backoff,
            )
            logger.warning("Sending notification %s failed: %r", notification.pk, exc)
            continue
        Notification.objects.filter(pk=notification.pk).update(
            sent_at=timezone.now(), attempts=notification.attempts + 1, last_error=""
        )
        sent += 1
    return sent


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    return queryset.update(read_at=timezone.now())


def _describe(complaint: Complaint) -> str:
    unit = complaint.unit.label if complaint.unit_id else _("common area")
    return "\n".join(
        [
            _("Complaint: %(reference)s") % {"reference": complaint.reference},
            _("Estate: %(estate)s, %(unit)s") % {"estate": complaint.estate.name, "unit": unit},
            _("Category: %(category)s") % {"category": complaint.category.name},
            _("Summary: %(summary)s") % {"summary": complaint.summary},
            _("Open it: %(url)s") % {"url": complaint_url(complaint)},
        ]
    )


def notify_escalation(
    *, outbox: Outbox, escalation, complaint: Complaint, now: dt.datetime, round: int = 0
) -> None:
    """Tell the people of the escalation's level; ``round`` > 0 is a reminder of the same."""

    def subject():
        prefix = _("Reminder") + ": " if round else ""
        return prefix + _("[Escalated to level %(level)d] %(reference)s %(summary)s") % {
            "level": escalation.level,
            "reference": complaint.reference,
            "summary": complaint.summary,
        }

    def body():
        reason = EscalationReason(escalation.reason).label
        lead = _("Escalated to level %(level)d: %(reason)s.") % {
            "level": escalation.level,
            "reason": reason,
        }
        return lead + "\n\n" + _describe(complaint)

    outbox.to_staff(
        complaint=complaint,
        users=outbox.staff(estate_id=complaint.estate_id, level=escalation.level),
        kind="escalation_reminder" if round else "escalation",
        key=f"esc{escalation.pk}:r{round}",
        subject=subject,
        body=body,
        now=now,
    )


def notify_deadline_reminder(
    *, outbox: Outbox, deadline, complaint: Complaint, now: dt.datetime
) -> None:
    """80% of the time is gone: the assignee is reminded, or the desk when nobody is."""
    users = (
        [complaint.assignee]
        if complaint.assignee_id
        else outbox.staff(estate_id=complaint.estate_id, level=0)
    )

    def subject():
        return _("[Due soon] %(reference)s: %(deadline)s due %(due)s") % {
            "reference": complaint.reference,
            "deadline": DeadlineKind(deadline.kind).label,
            "due": timezone.localtime(deadline.due_at, complaint.estate.zone).strftime(
                "%Y-%m-%d %H:%M"
            ),
        }

    outbox.to_staff(
        complaint=complaint,
        users=users,
        kind="deadline_reminder",
        key=f"dl{deadline.pk}:remind",
        subject=subject,
        body=lambda: _describe(complaint),
        now=now,
    )


def notify_intake(*, outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    """An urgent complaint alerts the supervisors at once; the resident is told it was
    received (outside quiet hours)."""
    if complaint.severity == Severity.URGENT:
        outbox.to_staff(
            complaint=complaint,
            users=outbox.staff(estate_id=complaint.estate_id, level=1),
            kind="urgent_intake",
            key=f"c{complaint.pk}:urgent",
            subject=lambda: (
                _("[Urgent] New complaint %(reference)s %(summary)s")
                % {"reference": complaint.reference, "summary": complaint.summary}
            ),
            body=lambda: _describe(complaint),
            now=now,
        )
    outbox.to_resident(
        complaint=complaint,
        kind="received",
        key=f"c{complaint.pk}:received",
        body=lambda: (
            _(
                "Your complaint %(reference)s has been received. We will call you back; "
                "quote this reference if you contact us."
            )
            % {"reference": complaint.reference}
        ),
        now=now,
    )
