"""The worklist's received-date filter (also the API list's and the exports'): the days from
``received_from`` to ``received_to``, or a ``period`` named from today, each estate's days in
its own time zone, as its rows show their received times."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERIODS = {
    "today": _("Today"),
    "yesterday": _("Yesterday"),
    "this_week": _("This week"),
    "last_week": _("Last week"),
}
DAY = dt.timedelta(days=1)


def period_days(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``period`` (one of ``PERIODS``); weeks run Monday to Sunday."""
    monday = today - today.weekday() * DAY
    return {
        "today": (today, today),
        "yesterday": (today - DAY, today - DAY),
        "this_week": (monday, monday + 6 * DAY),
        "last_week": (monday - 7 * DAY, monday - DAY),
    }[period]


def _midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def received_match(
    *,
    estates: Iterable[tuple[int, str]],
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    period: str = "",
    now: dt.datetime | None = None,
) -> Q:
    """The complaints received in the days asked for; ``estates`` are the (id, time zone)
    pairs of the estates read. Estates sharing a zone share its bounds, so the usual desk, in
    one zone, asks for one range of ``received_at``."""
    zones: dict[str, list[int]] = {}
    for estate_id, zone_name in estates:
        zones.setdefault(zone_name, []).append(estate_id)
    spans = []
    for name, estate_ids in sorted(zones.items()):
        zone = zoneinfo.ZoneInfo(name)
        first, last = received_from, received_to
        if period:
            first, last = period_days(
                period, timezone.localtime(now or timezone.now(), zone).date()
            )
        span = Q(estate_id__in=sorted(estate_ids)) if len(zones) > 1 else Q()
        # The calendar's first and last days bound nothing (and their midnights in UTC would
        # fall outside it).
        if first and first > dt.date.min + DAY:
            span &= Q(received_at__gte=_midnight(first, zone))
        if last and last < dt.date.max - DAY:
            span &= Q(received_at__lt=_midnight(last + DAY, zone))
        spans.append(span)
    if not spans:
        return Q(pk__in=[])
    match = spans[0]
    for span in spans[1:]:
        match |= span
    return match
