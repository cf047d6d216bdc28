"""Sending what the outbox holds: claimed in a short transaction, sent outside it, each row
marked sent or given its error and a later try."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from complaints.selectors import complaints_visible_to
from notifications.models import Notification
from notifications.transports import transport_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def one_line(text: str, limit: int = 200) -> str:
    """Header-safe: no CR/LF can reach an email subject."""
    return " ".join(str(text).split())[:limit]


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


# Recorded on a row that is not sent because its reader may no longer open the complaint.
WITHHELD = "withheld: the recipient can no longer open this complaint"


def _withheld(notifications: list[Notification]) -> set[int]:
    """The staff messages whose recipient may no longer open their complaint: access is read
    again at sending, not trusted from when the message was written; once per recipient."""
    by_recipient: dict[int, list[Notification]] = defaultdict(list)
    for notification in notifications:
        if notification.recipient_id is not None and notification.complaint_id is not None:
            by_recipient[notification.recipient_id].append(notification)
    withheld: set[int] = set()
    for rows in by_recipient.values():
        recipient = rows[0].recipient
        assert recipient is not None  # grouped by it above
        visible = set(
            complaints_visible_to(recipient)
            .filter(pk__in={row.complaint_id for row in rows})
            .values_list("pk", flat=True)
        )
        withheld |= {row.pk for row in rows if row.complaint_id not in visible}
    return withheld


def notifications_send(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due. Claiming is a short transaction; the network is outside it."""
    now = now or timezone.now()
    sent = 0
    claimed = list(
        Notification.objects.filter(id__in=_claim(now=now, limit=limit)).select_related("recipient")
    )
    withheld = _withheld(claimed)
    for notification in claimed:
        if notification.pk in withheld:
            # Never retried: it stays, unsent, saying why.
            Notification.objects.filter(pk=notification.pk).update(
                attempts=MAX_ATTEMPTS, last_error=WITHHELD
            )
            logger.info("Notification %s withheld: its recipient lost access", notification.pk)
            continue
        try:
            transport_for(notification.channel).send(notification)
        except Exception as exc:  # noqa: BLE001 - recorded on the row and retried
            attempts = notification.attempts + 1
            backoff = dt.timedelta(minutes=min(2**attempts, 60))
            Notification.objects.filter(pk=notification.pk).update(
                attempts=attempts,
                last_error=one_line(repr(exc), 300),
                not_before=timezone.now() + backoff,
            )
            logger.warning("Sending notification %s failed: %r", notification.pk, exc)
            continue
        Notification.objects.filter(pk=notification.pk).update(
            sent_at=timezone.now(), attempts=notification.attempts + 1, last_error=""
        )
        sent += 1
    return sent


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    return queryset.update(read_at=timezone.now())
