"""The worklist at /complaints/: the visible complaints, filtered, sorted, 50 a page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, When
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from complaints.forms.worklist import WorklistFilterForm
from complaints.models import Complaint, Deadline, DeadlineState, Severity
from complaints.received import PERIODS
from complaints.selectors import complaint_list
from complaints.views.fragments import jinja_fragment
from complaints.views.worklist_rows import worklist_rows

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _OwedDeadlines(TypedDict):
        owed_deadlines: list[Deadline]

    # A complaint read through ``with_owed_deadlines``.
    OwedComplaint = WithAnnotations[Complaint, _OwedDeadlines]

PAGE_SIZE = 50
MAX_PAGE = 10_000
SEVERITY_RANK = Case(
    When(severity=Severity.URGENT, then=0),
    When(severity=Severity.MAJOR, then=1),
    default=2,
    output_field=IntegerField(),
)


# Deadlines still owed: pending, or past and already marked missed by the sweep.
OWED = (DeadlineState.PENDING, DeadlineState.MISSED)


def _next_due():
    return Subquery(
        Deadline.objects.filter(complaint=OuterRef("pk"), state__in=OWED)
        .order_by("due_at")
        .values("due_at")[:1]
    )


def sorted_complaints(queryset: QuerySet[Complaint], sort: str) -> QuerySet[Complaint]:
    if sort == "received":
        return queryset.order_by("received_at", "id")
    if sort == "severity":
        return queryset.annotate(severity_rank=SEVERITY_RANK).order_by(
            "severity_rank", "-received_at", "-id"
        )
    if sort == "deadline":
        return queryset.annotate(next_due=_next_due()).order_by(
            F("next_due").asc(nulls_last=True), "-received_at", "-id"
        )
    if sort == "-escalation":
        return queryset.order_by("-escalation_level", "-received_at", "-id")
    return queryset.order_by("-received_at", "-id")


def with_owed_deadlines(queryset: QuerySet[Complaint]) -> QuerySet[OwedComplaint]:
    return queryset.prefetch_related(
        Prefetch(
            "deadlines",
            queryset=Deadline.objects.filter(state__in=OWED).order_by("due_at", "id"),
            to_attr="owed_deadlines",
        )
    )


def worklist_queryset(request) -> tuple[WorklistFilterForm, QuerySet[OwedComplaint]]:
    """The form and the filtered, sorted complaints; shared with the exports. A filter that
    is not one is left out (``filters_refused``)."""
    form = WorklistFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    queryset = complaint_list(user=request.user, filters=filters)
    return form, with_owed_deadlines(sorted_complaints(queryset, form.sort_order))


def filters_refused(form: WorklistFilterForm) -> bool:
    """Whether a filter is not one (a building or a week that does not exist, a choice not
    offered). The page then lists without it and names it; an export, which cannot say so,
    refuses the request rather than hand over more than was asked for."""
    return form.is_bound and not form.is_valid()


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# What a worklist row shows, joined. The page names no department or assignee (the exports do),
# and its estate and category come from the filter form, which has read them all.
ROW_RELATIONS = ("unit__building", "resident", "incident")


def row_groups(complaints: Sequence[Complaint], *, now, by_incident: bool) -> list[dict]:
    """The rows in one group without a heading; or, ``by_incident``, under their incidents,
    each group in the order its first row came, and the complaints linked to none last."""
    rows = worklist_rows(complaints, now=now)
    if not by_incident:
        return [{"heading": False, "incident": None, "rows": rows}] if rows else []
    groups: dict[int | None, dict] = {}
    for complaint, row in zip(complaints, rows, strict=True):
        group = groups.setdefault(
            complaint.incident_id,
            {
                "heading": True,
                "incident": complaint.incident,
                "incident_url": row.incident.url if row.incident else "",
                "rows": [],
            },
        )
        group["rows"].append(row)
    unlinked = groups.pop(None, None)
    return [*groups.values(), *([unlinked] if unlinked else [])]


def rows_html(groups: list[dict]) -> str:
    """The table body: ``groups``' rows, by ``templates/jinja2/complaints/worklist_rows.html``."""
    return jinja_fragment("complaints/worklist_rows.html", {"groups": groups}) if groups else ""


def period_links(request, form: WorklistFilterForm) -> list[dict]:
    """The quick picks of received days: each link keeps the other filters and replaces the
    days, and the one in force says so."""
    chosen = form.cleaned_data.get("period") if form.is_bound and form.is_valid() else ""
    others = _query_without(request, "page", "period", "received_from", "received_to")
    return [
        {
            "label": label,
            "query": f"{others}&period={value}" if others else f"period={value}",
            "active": value == chosen,
        }
        for value, label in PERIODS.items()
    ]


@require_GET
@login_required
def worklist(request):
    form, queryset = worklist_queryset(request)
    queryset = queryset.select_related(None).select_related(*ROW_RELATIONS)
    page = _page_number(request)
    start = (page - 1) * PAGE_SIZE
    # One row more than a page says whether another page follows, without counting the table.
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    for complaint in rows:
        # Read with the form; a row the form did not see (changed meanwhile) reads its own.
        if estate := form.estates.get(complaint.estate_id):
            complaint.estate = estate
        if category := form.categories.get(complaint.category_id):
            complaint.category = category
    shown = rows[:PAGE_SIZE]
    grouped = form.grouping == "incident"
    return render(
        request,
        "complaints/worklist.html",
        {
            "form": form,
            # The rows by Jinja2 (config/jinja2.py): five times faster than here, the same HTML.
            "rows_html": rows_html(row_groups(shown, now=timezone.now(), by_incident=grouped)),
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "has_previous": page > 1,
            "query": _query_without(request, "page"),
            "sort_query": _query_without(request, "page", "sort"),
            "period_links": period_links(request, form),
            # A list reached from a count of the weekly summary says so, with the way back out.
            "report_filter": form.report_filter() if form.is_bound else None,
            "report_clear_query": _query_without(request, "page", "week", "figure"),
            # The page lists without a filter that is not one, and says which it left out.
            "filters_left_out": filters_refused(form),
        },
    )
