"""How the page, the email and the command word a figure: counts, shares and hours, and the
quality figures without the incident-linked complaints beside the others."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from reports.figures import FIGURE_LABELS, MINDSET_LABELS, QUALITY, RATIOS


def display(name: str, value) -> str:
    if value is None:
        return "—"
    if name in RATIOS:
        return f"{round(value * 100)}%"
    if name == "median_resolution_hours":
        return formats.number_format(value, 1)
    return formats.number_format(value)


def signed(difference: int | float, places: int = 0) -> str:
    """A difference with its sign, rounded first: one that rounds to zero reads "0" or "0.0",
    never "+0" or "-0.0"."""
    rounded = round(difference, places) if places else round(difference)
    if rounded == 0:
        return f"{0:.{places}f}"
    return f"{rounded:+.{places}f}"


def change(name: str, current, previous) -> str:
    """This week against the last: a count's difference, a share's in percentage points."""
    if current is None or previous is None:
        return "—"
    if name in RATIOS:
        return _("%(change)s pp") % {"change": signed((current - previous) * 100)}
    if name == "median_resolution_hours":
        return signed(current - previous, 1)
    return signed(current - previous)


def quality_table(report: dict) -> dict | None:
    """The quality figures without the incident-linked complaints, per category and in total;
    None when leaving them out changes none of them."""
    rows = [(row["name"], row, "category", row["code"]) for row in report["categories"]] + [
        (_("Total"), report["total"], "total", ""),
        (
            _("Previous week (%(week)s)") % {"week": report["previous_week"]},
            report["previous_total"],
            "previous",
            "",
        ),
    ]
    if all(
        figures["without_incidents"][name] == figures[name]
        for _label, figures, _kind, _code in rows
        for name in QUALITY
    ):
        return None
    return {
        "headers": [str(FIGURE_LABELS[name]) for name in QUALITY],
        "rows": [
            {
                "label": label,
                "code": code,
                "kind": kind,
                "quiet": all(figures["without_incidents"][name] is None for name in QUALITY),
                "cells": [
                    {
                        "figure": name,
                        "label": str(FIGURE_LABELS[name]),
                        "text": display(name, figures["without_incidents"][name]),
                    }
                    for name in QUALITY
                ],
            }
            for label, figures, kind, code in rows
        ],
    }


def mindset_line(report: dict) -> list[dict]:
    """What the residents received in the week wanted, in total: each mindset's count, then
    those the desk did not judge."""
    total = report["total"]
    judged = [
        {"figure": name, "label": str(label), "count": total["mindsets"][name[len("mindset_") :]]}
        for name, label in MINDSET_LABELS.items()
    ]
    rest = total["received"] - sum(item["count"] for item in judged)
    return [*judged, {"figure": "", "label": str(_("Not judged")), "count": rest}]
