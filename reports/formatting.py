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


def change(name: str, current, previous) -> str:
    """This week against the last: a count's difference, a share's in percentage points."""
    if current is None or previous is None:
        return "—"
    if name in RATIOS:
        return _("%(change)s pp") % {"change": f"{round((current - previous) * 100):+d}"}
    if name == "median_resolution_hours":
        return f"{current - previous:+.1f}"
    return f"{current - previous:+d}"
