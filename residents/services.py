"""Writes of the residents' own records."""

from __future__ import annotations

import datetime as dt

from residents.models import Resident, StopVia
from residents.phones import mask_phone, normalise_phone


def messages_stop(*, phone: str, at: dt.datetime, via: str, name: str = "") -> int:
    """Stop text messages to ``phone``: recorded, with its time, on every resident with that
    number. A number no resident has on record (a caller logged by name and phone only) gets a
    resident of its own, with ``name`` (else its masked number), so that the stop is kept.
    Returns how many residents now have it; a number already stopped keeps its first time."""
    digits = normalise_phone(phone)
    if not digits:
        return 0
    via = StopVia(via)
    residents = Resident.objects.filter(phone=digits)
    if not residents.exists():
        Resident.objects.create(
            name=name or mask_phone(digits),
            phone=digits,
            messages_stopped_at=at,
            messages_stopped_via=via,
        )
        return 1
    residents.filter(messages_stopped_at__isnull=True).update(
        messages_stopped_at=at, messages_stopped_via=via
    )
    return residents.count()


def messages_stopped(phone: str) -> bool:
    return Resident.objects.filter(
        phone=normalise_phone(phone), messages_stopped_at__isnull=False
    ).exists()
