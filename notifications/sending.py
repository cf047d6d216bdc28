"""Sending what the outbox holds: claimed in a short transaction, sent outside it, each row
marked sent or given its error and a later try."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from complaints.selectors import complaints_visible_to
from notifications.models import Notification
from notifications.sms import Outcome, Result
from notifications.texting import (
    by_number,
    resident_texts,
    send_together,
    still_quiet,
    stopped_numbers,
    unstopped,
)
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
    claimed = list(
        Notification.objects.filter(id__in=_claim(now=now, limit=limit))
        .select_related("recipient", "complaint__estate", "incident__estate", "incident__category")
        .order_by("id")  # as written: a merged message lists them so, the newest carries it
    )
    withheld = _withheld(claimed)
    if withheld:
        # Never retried: they stay, unsent, saying why.
        Notification.objects.filter(pk__in=withheld).update(
            attempts=MAX_ATTEMPTS, last_error=WITHHELD, status=Notification.Status.WITHHELD
        )
        logger.info("Notifications %s withheld: their recipients lost access", sorted(withheld))
    rest = [row for row in claimed if row.pk not in withheld]
    texts = resident_texts(rest)
    sends = [[row] for row in rest if row not in texts] + _text_groups(texts, now=now)
    return _send_within_lease(sends)


def _send_within_lease(sends: list[list[Notification]]) -> int:
    """Each send, while the claim's lease lasts. What is left when half of it has gone (a slow
    provider) is put back for the next run: no row is sent after its lease ends and another
    worker may have claimed it."""
    budget = settings.DESK_SEND_LEASE_SECONDS / 2
    started = time.monotonic()
    sent = 0
    for index, rows in enumerate(sends):
        if time.monotonic() - started > budget:
            left = [row.pk for group in sends[index:] for row in group]
            Notification.objects.filter(pk__in=left).update(not_before=timezone.now())
            logger.warning("Sending took too long; %d notifications left for later", len(left))
            break
        sent += _record(rows, _deliver(rows))
    return sent


def _deliver(rows: list[Notification]) -> Result:
    """One send: a staff message, or one number's text messages due together."""
    try:
        if resident_texts(rows):
            return send_together(rows)
        return transport_for(rows[0].channel).send(rows[0])
    except Exception as exc:  # noqa: BLE001 - recorded on the rows and retried
        logger.warning("Sending notifications %s failed: %r", [row.pk for row in rows], exc)
        return Result(Outcome.RETRY, detail=repr(exc))


def _text_groups(rows: list[Notification], *, now: dt.datetime) -> list[list[Notification]]:
    """Residents' text messages: for each number, what is due for it now, to go as one. Those
    that fell into quiet hours wait for their end; those of a stopped number are held back."""
    stopped = stopped_numbers(rows)
    groups: list[list[Notification]] = []
    for group in by_number(rows).values():
        wake = still_quiet(group, now)
        if wake is not None:
            # A retry that fell into quiet hours waits for them to end.
            Notification.objects.filter(pk__in=[row.pk for row in group]).update(not_before=wake)
            continue
        group, held = unstopped(group, stopped)
        if held:
            Notification.objects.filter(pk__in=[row.pk for row in held]).update(
                status=Notification.Status.STOPPED,
                attempts=MAX_ATTEMPTS,
                last_error="stopped by the resident",
            )
        # A building-wide incident's notice goes as itself: merged, it would be read as one
        # of "N updates on your complaints" by a resident who may have none.
        groups.extend([row] for row in group if row.complaint_id is None)
        updates = [row for row in group if row.complaint_id is not None]
        if updates:
            groups.append(updates)
    return groups


def _record(rows: list[Notification], result: Result) -> int:
    """The answer for ``rows``, sent as one message: the last carried it, the others went
    with it (merged). Retried with a growing pause, up to MAX_ATTEMPTS; failed for good at
    once when the provider says it never will go."""
    at = timezone.now()
    detail = one_line(result.detail, 300)
    if result.outcome == Outcome.SENT:
        *others, carrier = rows
        Notification.objects.filter(pk__in=[row.pk for row in others]).update(
            status=Notification.Status.MERGED, sent_at=at, provider_id=result.provider_id
        )
        Notification.objects.filter(pk=carrier.pk).update(
            status=Notification.Status.SENT,
            sent_at=at,
            attempts=carrier.attempts + 1,
            last_error="",
            provider_id=result.provider_id,
        )
        return len(rows)
    for row in rows:
        attempts = row.attempts + 1
        failed = result.outcome == Outcome.FAILED or attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk).update(
            status=Notification.Status.FAILED if failed else Notification.Status.RETRYING,
            attempts=MAX_ATTEMPTS if failed else attempts,
            last_error=detail,
            not_before=at + dt.timedelta(minutes=min(2**attempts, 60)),
        )
    logger.warning(
        "Notifications %s not sent (%s): %s", [r.pk for r in rows], result.outcome, detail
    )
    return 0


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    return queryset.update(read_at=timezone.now())
