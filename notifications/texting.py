"""Text messages to residents at the moment of sending: quiet hours looked at again (a retry may
have moved a message into them), stopped numbers respected, and what is due at once for one
number sent as one message."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from complaints.models import Severity
from complaints.status_links import status_url
from notifications.models import Notification
from notifications.quiet import quiet_wake
from notifications.sms import Outcome, Result, TextMessage, backend_get
from notifications.transports import SmsChannel, text_message
from residents.models import Resident
from residents.phones import normalise_phone

# The one message a stop never holds back: that a new complaint was received.
RECEIPT = "received"


def stopped_numbers(rows: list[Notification]) -> set[str]:
    """The numbers among ``rows`` whose messages have been stopped, in one query."""
    numbers = {normalise_phone(row.address) for row in rows}
    return set(
        Resident.objects.filter(phone__in=numbers, messages_stopped_at__isnull=False)
        .values_list("phone", flat=True)
        .distinct()
    )


def by_number(rows: list[Notification]) -> dict[str, list[Notification]]:
    groups: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        groups[normalise_phone(row.address)].append(row)
    return groups


def still_quiet(rows: list[Notification], now: dt.datetime) -> dt.datetime | None:
    """When the quiet hours that hold ``now`` end for these rows' estate; None if they don't."""
    row = rows[0]
    if row.complaint is not None:
        estate = row.complaint.estate
    elif row.incident is not None:
        if row.incident.category.default_severity == Severity.URGENT:
            return None  # an urgent incident's broadcast goes at any hour
        estate = row.incident.estate
    else:
        return None
    wake = quiet_wake(estate, now)
    return wake if wake > now else None


def merged(rows: list[Notification]) -> TextMessage | None:
    """One message for several due at once: how many, and the newest one's status link."""
    newest = rows[-1]
    single = text_message(newest)
    if single is None or len(rows) == 1:
        return single
    link = (
        status_url(newest.complaint)
        if newest.complaint is not None
        else settings.DESK_BASE_URL + "/status/"
    )
    with override(newest.language):
        text = "\n".join(
            [_("%(count)d updates on your complaints:") % {"count": len(rows)}]
            + [row.body for row in rows]
        )
    return TextMessage(
        phone=single.phone,
        kind="digest",
        params={"count": str(len(rows)), "link": link},
        text=text,
    )


def send_together(rows: list[Notification]) -> Result:
    """Send ``rows`` (one number's, due now) as one message."""
    if len(rows) == 1:
        return SmsChannel().send(rows[0])
    message = merged(rows)
    if message is None:
        return Result(Outcome.FAILED, detail="not a mobile number")
    return backend_get().send(message)


def unstopped(rows: list[Notification], stopped: set[str]) -> tuple[list, list]:
    """Split into (to send, held back by a stop)."""
    held = [row for row in rows if row.kind != RECEIPT and normalise_phone(row.address) in stopped]
    return [row for row in rows if row not in held], held


def resident_texts(rows: list[Notification]) -> list[Notification]:
    return [
        row
        for row in rows
        if row.audience == Notification.Audience.RESIDENT
        and row.channel == Notification.Channel.SMS
    ]
