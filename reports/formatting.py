"""How the page, the email and the command word a figure: counts, shares and hours."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from reports.figures import RATIOS


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
