"""Residents at /residents/: found by name, phone or unit within the reader's estates."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.selectors import complaints_visible_to, estates_visible_to
from residents.selectors import resident_get, resident_search, resident_units
from staff.access import residents_readable_by

PAGE_SIZE = 50
MAX_PAGE = 10_000  # a page number the database can still turn into an offset
HISTORY_LIMIT = 200


def _require_desk_role(request) -> None:
    if not residents_readable_by(request.user):
        raise PermissionDenied(_("Looking up residents is for the front desk and supervisors."))


@require_GET
@login_required
def resident_list(request):
    _require_desk_role(request)
    q = request.GET.get("q", "").strip()[:100]
    try:
        page = max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE
    rows = list(
        resident_search(user=request.user, q=q).prefetch_related("units__building__estate")[
            start : start + PAGE_SIZE + 1
        ]
    )
    visible = set(estates_visible_to(request.user).values_list("pk", flat=True))
    for resident in rows:
        resident.visible_units = [
            u for u in resident.units.all() if u.building.estate_id in visible
        ]
    return render(
        request,
        "residents/list.html",
        {
            "q": q,
            "query": urlencode({"q": q}) if q else "",
            "residents": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "has_previous": page > 1,
        },
    )


@require_GET
@login_required
def resident_detail(request, pk: int):
    _require_desk_role(request)
    resident = resident_get(user=request.user, resident_id=pk)
    complaints = (
        complaints_visible_to(request.user)
        .filter(Q(resident=resident) | Q(contact_phone=resident.phone))
        .select_related("estate", "unit__building", "category__parent")
        .order_by("-received_at", "-id")[:HISTORY_LIMIT]
    )
    return render(
        request,
        "residents/detail.html",
        {
            "resident": resident,
            "units": resident_units(user=request.user, resident=resident).select_related(
                "building__estate"
            ),
            "complaints": complaints,
        },
    )
