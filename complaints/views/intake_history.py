"""Intake's history panel: what the chosen unit or resident complained about in the last
twelve months, drawn again whenever the desk picks another unit or resident."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from complaints.selectors_history import complaint_history
from complaints.views.intake import require_intake_role


def _id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


@require_GET
@login_required
def intake_history(request):
    """The chosen unit's and resident's complaints, newest first; nothing at all when there are
    none, or for a unit or resident the desk does not cover."""
    require_intake_role(request)
    params = request.GET
    history = complaint_history(
        user=request.user,
        estate_code=params.get("estate", ""),
        unit_id=_id(params.get("unit", "")),
        resident_id=_id(params.get("resident", "")),
        now=timezone.now(),
    )
    return render(request, "complaints/intake/_history.html", {"history": history})
