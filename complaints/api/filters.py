"""The complaint list's query filters as the schema documents them, and the received-date
filter read with the worklist's own fields (``complaints.forms.received``): the same names, and
bad input refused with a 400 that names the field."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from complaints.forms.received import ReceivedFilterForm
from complaints.received import PERIODS
from complaints.search import Q_MAX

COMPLAINT_FILTERS = [
    OpenApiParameter(name, str) for name in ("stage", "category", "severity", "estate")
] + [
    OpenApiParameter(
        "q",
        str,
        description="A reference or part of it (`261207-0003`, `HY-261207`), any four digits "
        "or more of the contact's or the resident's phone, a unit as callers say it "
        "(`3号楼2单元801`, `3-2-801`, `32801`), the resident's or contact's name, or words "
        "of the summary.",
    ),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("escalated", bool),
    OpenApiParameter(
        "received_from",
        OpenApiTypes.DATE,
        description="Received on this day or later, in each estate's time zone.",
    ),
    OpenApiParameter(
        "received_to",
        OpenApiTypes.DATE,
        description="Received on this day or earlier, in each estate's time zone; not before "
        "`received_from`.",
    ),
    OpenApiParameter(
        "period",
        str,
        enum=list(PERIODS),
        description="Received today, yesterday, this week or last week (Monday to Sunday), in "
        "each estate's time zone; not with `received_from` or `received_to`.",
    ),
    OpenApiParameter("page", int),
]


def search_text(params: QueryDict) -> str | None:
    """``q`` as the worklist's search box takes it; ValidationError (400) when it is longer."""
    q = params.get("q")
    if q is not None and len(q) > Q_MAX:
        raise ValidationError({"q": [_("Search for at most %(max)d characters.") % {"max": Q_MAX}]})
    return q


def received_filters(params: QueryDict) -> dict:
    """``received_from``, ``received_to`` and ``period`` as ``selectors.complaint_list`` takes
    them; ValidationError (400) when one is not a date, a period, or they contradict."""
    form = ReceivedFilterForm(params)
    if not form.is_valid():
        raise ValidationError(
            {field: [str(error) for error in errors] for field, errors in form.errors.items()}
        )
    return form.received_filters()
