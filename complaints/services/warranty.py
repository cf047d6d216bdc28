"""Whether a defect is still under the developer's warranty (保修期) when it is reported."""

from __future__ import annotations

import datetime as dt

from complaints.models import Category
from residents.models import Unit


def warranty_applies(*, unit: Unit | None, category: Category, on: dt.date) -> bool | None:
    """True while the defect's warranty runs from the unit's handover; None when unknown."""
    years = category.effective_warranty_years
    if unit is None or unit.handover_date is None or years is None:
        return None
    handover = unit.handover_date
    try:
        ends = handover.replace(year=handover.year + years)
    except ValueError:  # 29 February
        ends = handover.replace(year=handover.year + years, day=28)
    return on < ends
