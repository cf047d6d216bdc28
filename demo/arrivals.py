"""When demo complaints arrive: spread over the last weeks, busier on weekdays and by day."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import zoneinfo
from collections.abc import Iterator

# Relative number of complaints per local hour: a night lull, peaks mid-morning and afternoon.
HOUR_WEIGHTS = (
    0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 6, 7, 6,
    3.5, 4, 6, 6, 6, 5, 4, 4, 3.5, 2.5, 1.5, 0.7,
)  # fmt: skip
# Monday to Sunday: a week's complaints pile up on Monday morning.
WEEKDAY_WEIGHTS = (1.2, 1.05, 1.0, 1.0, 1.0, 0.9, 0.85)


def _share_of_day_before(instant: dt.datetime) -> float:
    """How much of a day's complaints have usually arrived by this local time."""
    hour = instant.hour
    into_hour = (instant.minute * 60 + instant.second) / 3600
    return (sum(HOUR_WEIGHTS[:hour]) + HOUR_WEIGHTS[hour] * into_hour) / sum(HOUR_WEIGHTS)


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Whole counts proportional to ``weights`` that add up to ``total`` (largest remainder)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def arrivals(
    *, count: int, now: dt.datetime, zone: zoneinfo.ZoneInfo, rng: random.Random, days: int
) -> Iterator[dt.datetime]:
    """``count`` received times over the last ``days`` local days up to ``now``, in order.

    One day is drawn at a time, so a million arrivals never sit in memory together.
    """
    local_now = now.astimezone(zone)
    today = local_now.date()
    dates = [today - dt.timedelta(days=days - 1 - i) for i in range(days)]
    # A slight upward trend: the demo desk is getting busier.
    weights = [WEEKDAY_WEIGHTS[d.weekday()] * (0.9 + 0.2 * i / days) for i, d in enumerate(dates)]
    weights[-1] *= _share_of_day_before(local_now)
    hours = range(24)
    for date, day_count in zip(dates, _apportion(count, weights), strict=True):
        if not day_count:
            continue
        midnight = dt.datetime.combine(date, dt.time(0), tzinfo=zone)
        hour_weights = list(HOUR_WEIGHTS)
        if date == today:
            # Only the hours gone by today, the current one in proportion to its elapsed part.
            elapsed = local_now.minute * 60 + local_now.second
            hour_weights = hour_weights[: local_now.hour + 1]
            hour_weights[-1] *= elapsed / 3600
        cumulative = list(itertools.accumulate(hour_weights))
        times = []
        for hour in rng.choices(hours[: len(hour_weights)], cum_weights=cumulative, k=day_count):
            last_second = 3600
            if date == today and hour == local_now.hour:
                last_second = max(1, local_now.minute * 60 + local_now.second)
            offset = dt.timedelta(hours=hour, seconds=rng.randrange(last_second))
            times.append((midnight + offset).astimezone(dt.UTC))
        yield from sorted(times)
