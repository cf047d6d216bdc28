"""The weekly summary page and its CSV/XLSX exports, for supervisors and managers."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from reports import exports
from reports import figures as f
from reports.formatting import change, display, mindset_line, quality_table
from reports.forms import WeeklyReportForm
from reports.iso_weeks import IsoWeek
from reports.snapshots import weekly_report
from reports.summary import can_read_weekly
from residents.names import names_list

CHART_FIGURES = ("received", "closed", "escalated")


def _form(request) -> WeeklyReportForm:
    if not can_read_weekly(request.user):
        raise PermissionDenied(_("The weekly summary is for supervisors and managers."))
    data = request.GET.copy()
    if not data.get("week"):
        # The picker shows the week the page reports on: the last full one unless chosen.
        data["week"] = str(IsoWeek.last_full())
    return WeeklyReportForm(data, user=request.user)


def worklist_url(*, week: str, figure: str, estate=None, category=None, building=None) -> str:
    """The worklist filtered to exactly the complaints behind one count."""
    params = {"week": week, "figure": figure}
    params.update(
        {
            key: value
            for key, value in (("estate", estate), ("category", category), ("building", building))
            if value
        }
    )
    return f"{reverse('complaints:worklist')}?{urlencode(params)}"


def _row(label: str, figures: dict, *, week: str, estate, category=None, kind="category"):
    cells = []
    for name in f.FIGURES:
        url = None
        if name in f.COUNTS and figures[name]:
            url = worklist_url(week=week, figure=name, estate=estate, category=category)
        cells.append({"text": display(name, figures[name]), "url": url, "figure": name})
    return {"label": label, "code": category or "", "cells": cells, "kind": kind}


def table(report: dict) -> dict:
    week, previous_week, estate = report["week"], report["previous_week"], report["estate"]
    rows = [
        _row(row["name"], row, week=week, estate=estate, category=row["code"])
        for row in report["categories"]
    ]
    total = _("Total so far") if report["in_progress"] else _("Total")
    rows.append(_row(total, report["total"], week=week, estate=estate, kind="total"))
    rows.append(
        _row(
            _("Previous week (%(week)s)") % {"week": previous_week},
            report["previous_total"],
            week=previous_week,
            estate=estate,
            kind="previous",
        )
    )
    changes = [
        {"text": change(name, report["total"][name], report["previous_total"][name])}
        for name in f.FIGURES
    ]
    so_far = report["in_progress"]
    # A week in progress against a whole one: the change says so.
    label = _("Change so far, against the whole previous week") if so_far else _("Change")
    rows.append({"label": label, "code": "", "cells": changes, "kind": "change"})
    headers = [f.figure_label(name, in_progress=so_far) for name in f.FIGURES]
    return {"headers": headers, "rows": rows}


def mindsets(report: dict) -> list[dict]:
    """What the residents wanted, each count linked to its complaints."""
    return [
        {
            **item,
            "url": worklist_url(week=report["week"], figure=item["figure"], estate=report["estate"])
            if item["figure"] and item["count"]
            else None,
        }
        for item in mindset_line(report)
    ]


def _on_estate_clock(moment: str | None) -> dt.datetime | None:
    """An instant given on its estate's clock, shown as that wall-clock time."""
    return None if moment is None else dt.datetime.fromisoformat(moment).replace(tzinfo=None)


def incident_rows(report: dict) -> list[dict]:
    return [
        {
            **incident,
            "opened": _on_estate_clock(incident["opened_at"]),
            "resolved": _on_estate_clock(incident["resolved_at"]),
        }
        for incident in report["incidents"]
    ]


def chart_data(report: dict) -> dict:
    def series(rows: list[dict]) -> list[dict]:
        return [
            {"label": str(f.FIGURE_LABELS[name]), "data": [row[name] for row in rows]}
            for name in CHART_FIGURES
        ]

    def week_label(row: dict) -> str | list[str]:
        # A week in progress reads so under its name, on two lines of the axis.
        return [row["week"], pgettext("week", "in progress")] if row["in_progress"] else row["week"]

    partial = [i for i, row in enumerate(report["trend"]) if row["in_progress"]]
    return {
        "byCategory": {
            "title": (
                _("Complaints by category so far")
                if report["in_progress"]
                else _("Complaints by category")
            ),
            "labels": [row["name"] for row in report["categories"]],
            "series": series(report["categories"]),
        },
        "trend": {
            "title": _("The last eight weeks"),
            "labels": [week_label(row) for row in report["trend"]],
            "series": series(report["trend"]),
            # The week in progress, drawn apart (dashed, hollow points); None when all are over.
            "partial": partial[0] if partial else None,
        },
    }


def trend_table(report: dict) -> dict:
    """The trend chart's figures as a table, its text alternative."""
    return {
        "headers": [str(f.FIGURE_LABELS[name]) for name in CHART_FIGURES],
        "rows": [
            {
                "week": row["week"],
                "in_progress": row["in_progress"],
                "values": [row[name] for name in CHART_FIGURES],
            }
            for row in report["trend"]
        ],
    }


def _week_link(request, week) -> str:
    query = request.GET.copy()
    query["week"] = str(week)
    return f"?{query.urlencode()}"


@require_GET
@login_required
def weekly(request):
    form = _form(request)
    if not form.is_valid():
        return render(request, "reports/weekly.html", {"form": form}, status=400)
    week = form.chosen_week
    report = weekly_report(reader=request.user, week=week, estate=form.chosen_estate)
    query = urlencode({k: v for k, v in (("week", str(week)), ("estate", report["estate"])) if v})
    return render(
        request,
        "reports/weekly.html",
        {
            "form": form,
            "report": report,
            "table": table(report),
            "quality_table": quality_table(report),
            "mindsets": mindsets(report),
            "incidents": incident_rows(report),
            "chart_data": chart_data(report),
            "trend_table": trend_table(report),
            "computed_at": dt.datetime.fromisoformat(report["computed_at"]),
            "first_day": dt.date.fromisoformat(report["start"]),
            "last_day": dt.date.fromisoformat(report["end"]) - dt.timedelta(days=1),
            "estate_names": names_list(e["name"] for e in report["estates"]),
            "previous_link": _week_link(request, week.shifted(-1)),
            # No week after the current one can be read: nothing to link to.
            "next_link": _week_link(request, week.shifted(1)) if week < form.current_week else "",
            "query": query,
            "buildings": [
                {
                    **row,
                    "url": worklist_url(
                        week=report["week"],
                        figure="received",
                        estate=row["estate"],
                        building=row["building"],
                    ),
                }
                for row in report["top_buildings"]
            ],
        },
    )


def _export(request, ext: str):
    form = _form(request)
    if not form.is_valid():
        errors = "; ".join(str(m) for messages in form.errors.values() for m in messages)
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    report = weekly_report(reader=request.user, week=form.chosen_week, estate=form.chosen_estate)
    if ext == "csv":
        response = HttpResponse(exports.csv_text(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.xlsx_bytes(report), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(report, ext)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def weekly_csv(request):
    return _export(request, "csv")


@require_GET
@login_required
def weekly_xlsx(request):
    return _export(request, "xlsx")
