"""The weekly figures from the parts ``reports.counting`` reads: shares from their two parts,
and a week's total from its categories (counts and parts add up; shares and medians do not).

Each share is read as four parts: its whole and part over every complaint, then the same over
the complaints not linked to a building-wide incident (``without_incidents``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reports.figures import MINDSET_COUNTS

# (whole, part, whole not incident-linked, part not incident-linked)
Share = tuple[int, int, int, int]
NO_SHARE: Share = (0, 0, 0, 0)
# (over every complaint, over those not incident-linked), in hours
Medians = tuple[float | None, float | None]
NO_MEDIANS: Medians = (None, None)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures_of(
    counts: dict,
    callbacks: Share = NO_SHARE,
    medians: Medians = NO_MEDIANS,
    resident: Share = NO_SHARE,
) -> dict:
    """The figures from their parts: the counts (with satisfaction's ``rated`` and
    ``pleased``, and the ``_unlinked`` counts of the complaints not incident-linked), first
    callbacks (due, on time), the medians, residents' ratings (given, pleased)."""
    due, on_time, due_unlinked, on_time_unlinked = callbacks
    resident_rated, resident_pleased, resident_rated_unlinked, resident_pleased_unlinked = resident
    return {
        "received": counts.get("received", 0),
        "incident_linked": counts.get("incident_linked", 0),
        "closed": counts.get("closed", 0),
        "open_at_end": counts.get("open_at_end", 0),
        "escalated": counts.get("escalated", 0),
        "overdue_at_end": counts.get("overdue_at_end", 0),
        "callbacks_on_time": ratio(on_time, due),
        "median_resolution_hours": medians[0],
        "satisfaction": ratio(counts.get("pleased", 0), counts.get("rated", 0)),
        "follow_up_rate": ratio(counts.get("rated", 0), counts.get("closed", 0)),
        "resident_satisfaction": ratio(resident_pleased, resident_rated),
        "repeat": counts.get("repeat", 0),
        "invalid": counts.get("invalid", 0),
        "mindsets": {name.removeprefix("mindset_"): counts.get(name, 0) for name in MINDSET_COUNTS},
        "without_incidents": {
            "callbacks_on_time": ratio(on_time_unlinked, due_unlinked),
            "median_resolution_hours": medians[1],
            "satisfaction": ratio(
                counts.get("pleased_unlinked", 0), counts.get("rated_unlinked", 0)
            ),
            "follow_up_rate": ratio(
                counts.get("rated_unlinked", 0), counts.get("closed_unlinked", 0)
            ),
            "resident_satisfaction": ratio(resident_pleased_unlinked, resident_rated_unlinked),
        },
    }


def _sum(rows: list[dict]) -> dict:
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for name, value in row.items():
            total[name] += value
    return total


def _sum_shares(shares: dict[tuple[str, int], Share], tag: str) -> Share:
    """A share's parts over every category of the week ``tag``."""
    of_week = [share for (t, _category), share in shares.items() if t == tag]
    if not of_week:
        return NO_SHARE
    whole, part, whole_unlinked, part_unlinked = (
        sum(column) for column in zip(*of_week, strict=True)
    )
    return whole, part, whole_unlinked, part_unlinked


@dataclass(frozen=True)
class Parts:
    """What ``reports.counting`` read, keyed by (week tag, category id), and the figures from
    it; the medians' totals are keyed by week tag alone (a median is not summed)."""

    counts: dict[tuple[str, int], dict]
    callbacks: dict[tuple[str, int], Share]
    resident: dict[tuple[str, int], Share]
    category_medians: dict[tuple[str, int], Medians]
    total_medians: dict[str, Medians]
    top_buildings: list[dict]
    trend: list[dict]

    def category(self, tag: str, category_id: int) -> dict:
        key = (tag, category_id)
        return figures_of(
            self.counts.get(key, {}),
            self.callbacks.get(key, NO_SHARE),
            self.category_medians.get(key, NO_MEDIANS),
            self.resident.get(key, NO_SHARE),
        )

    def total(self, tag: str) -> dict:
        return figures_of(
            _sum([v for (t, _c), v in self.counts.items() if t == tag]),
            _sum_shares(self.callbacks, tag),
            self.total_medians.get(tag, NO_MEDIANS),
            _sum_shares(self.resident, tag),
        )

    def categories(self, tag: str) -> set[int]:
        keys = (*self.counts, *self.callbacks, *self.resident, *self.category_medians)
        return {category_id for t, category_id in keys if t == tag}
