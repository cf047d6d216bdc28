"""The weekly figures from the parts ``reports.counting`` reads: shares from their two parts,
and a week's total from its categories (counts and parts add up; shares and medians do not)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures_of(
    counts: dict,
    callbacks: tuple[int, int],
    median: float | None,
    resident: tuple[int, int] = (0, 0),
) -> dict:
    """The figures from their parts: the counts (with satisfaction's ``rated`` and
    ``pleased``), first callbacks (due, on time), the median, residents' ratings (given,
    pleased)."""
    due, on_time = callbacks
    resident_rated, resident_pleased = resident
    return {
        "received": counts.get("received", 0),
        "closed": counts.get("closed", 0),
        "open_at_end": counts.get("open_at_end", 0),
        "escalated": counts.get("escalated", 0),
        "overdue_at_end": counts.get("overdue_at_end", 0),
        "callbacks_on_time": ratio(on_time, due),
        "median_resolution_hours": median,
        "satisfaction": ratio(counts.get("pleased", 0), counts.get("rated", 0)),
        "follow_up_rate": ratio(counts.get("rated", 0), counts.get("closed", 0)),
        "resident_satisfaction": ratio(resident_pleased, resident_rated),
        "repeat": counts.get("repeat", 0),
        "invalid": counts.get("invalid", 0),
    }


def _sum(rows: list[dict]) -> dict:
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for name, value in row.items():
            total[name] += value
    return total


def _sum_pairs(pairs: dict[tuple[str, int], tuple[int, int]], tag: str) -> tuple[int, int]:
    """A share's two parts over every category of the week ``tag``."""
    of_week = [pair for (t, _category), pair in pairs.items() if t == tag]
    return sum(whole for whole, _ in of_week), sum(part for _, part in of_week)


@dataclass(frozen=True)
class Parts:
    """What ``reports.counting`` read, keyed by (week tag, category id), and the figures from
    it; the medians' totals are keyed by week tag alone (a median is not summed)."""

    counts: dict[tuple[str, int], dict]
    callbacks: dict[tuple[str, int], tuple]
    resident: dict[tuple[str, int], tuple]
    category_medians: dict
    total_medians: dict
    top_buildings: list[dict]
    trend: list[dict]

    def category(self, tag: str, category_id: int) -> dict:
        key = (tag, category_id)
        return figures_of(
            self.counts.get(key, {}),
            self.callbacks.get(key, (0, 0)),
            self.category_medians.get(key),
            self.resident.get(key, (0, 0)),
        )

    def total(self, tag: str) -> dict:
        return figures_of(
            _sum([v for (t, _c), v in self.counts.items() if t == tag]),
            _sum_pairs(self.callbacks, tag),
            self.total_medians.get(tag),
            _sum_pairs(self.resident, tag),
        )

    def categories(self, tag: str) -> set[int]:
        keys = (*self.counts, *self.callbacks, *self.resident, *self.category_medians)
        return {category_id for t, category_id in keys if t == tag}
