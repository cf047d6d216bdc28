"""When a resident may be sent a message: outside the estate's quiet hours, and at most
``DAILY_LIMIT`` times a day for what is not urgent."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from notifications.models import Notification
from residents.models import Estate

# Non-urgent messages a resident is sent in one day (of the estate's zone); what comes after
# waits for the next day's first allowed time and goes out with what else is due then.
DAILY_LIMIT = 3


def quiet_wake(estate: Estate, now: dt.datetime) -> dt.datetime:
    """``now`` if it is outside the estate's quiet hours (which may span midnight), else the
    instant they end."""
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


def _day(estate: Estate, when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = when.astimezone(estate.zone).date()
    start = dt.datetime.combine(local, dt.time(0), tzinfo=estate.zone)
    return start, start + dt.timedelta(days=1)


def _next_morning(estate: Estate, when: dt.datetime) -> dt.datetime:
    """The first time outside quiet hours on the day after ``when``."""
    _start, end = _day(estate, when)
    return quiet_wake(estate, end)


def sends_that_day(
    *, estate: Estate, address: str, when: dt.datetime, pending: list[Notification]
) -> tuple[int, set[dt.datetime]]:
    """Non-urgent sends to ``address`` on the day of ``when``: those made, and the times of
    those waiting (messages waiting for the same time go as one)."""
    start, end = _day(estate, when)
    rows = Notification.objects.filter(
        audience=Notification.Audience.RESIDENT,
        channel=Notification.Channel.SMS,
        address=address,
        urgent=False,
    )
    made = rows.filter(status=Notification.Status.SENT, sent_at__gte=start, sent_at__lt=end)
    waiting = set(
        rows.filter(
            Q(status=Notification.Status.QUEUED) | Q(status=Notification.Status.RETRYING),
            not_before__gte=start,
            not_before__lt=end,
        ).values_list("not_before", flat=True)
    )
    waiting |= {
        row.not_before
        for row in pending
        if row.address == address and not row.urgent and start <= row.not_before < end
    }
    return made.count(), waiting


def resident_send_time(
    *, estate: Estate, address: str, now: dt.datetime, urgent: bool, pending: list[Notification]
) -> dt.datetime:
    """When a message written ``now`` may go: after quiet hours and, unless urgent, in a day
    that has room for it (or with another message already waiting for the same time)."""
    when = quiet_wake(estate, now)
    if urgent:
        return when
    for _ in range(31):
        made, waiting = sends_that_day(estate=estate, address=address, when=when, pending=pending)
        if when in waiting or made + len(waiting) < DAILY_LIMIT:
            return when
        later = [slot for slot in waiting if slot >= when]
        if later:
            # The day is full: it goes with the next message already waiting.
            return min(later)
        when = _next_morning(estate, when)
    return when
