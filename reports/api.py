"""GET /api/v1/reports/weekly/?week=2026-W47&estate=CODE — the SPEC §7 weekly report."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.forms import WeeklyReportForm
from reports.snapshots import weekly_report
from reports.summary import can_read_weekly

SHARE: dict[str, Any] = {"allow_null": True, "min_value": 0, "max_value": 1}


# One instance for the three sets of figures: the schema names one component after it.
WITHOUT_INCIDENTS = inline_serializer(
    "WeeklyQualityWithoutIncidents",
    {
        "callbacks_on_time": serializers.FloatField(**SHARE),
        "median_resolution_hours": serializers.FloatField(allow_null=True),
        "satisfaction": serializers.FloatField(**SHARE),
        "follow_up_rate": serializers.FloatField(**SHARE),
        "resident_satisfaction": serializers.FloatField(**SHARE),
    },
    help_text="The quality figures again, over the complaints not linked to a building-wide "
    "incident: only their callbacks, resolutions, closings and ratings",
)


MINDSETS = inline_serializer(
    "WeeklyMindsets",
    {
        "vent": serializers.IntegerField(),
        "respect": serializers.IntegerField(),
        "compensation": serializers.IntegerField(),
    },
    help_text="Of the complaints received, how many wanted mainly to be heard, respected or "
    "compensated (the rest were not judged)",
)


def _figures(component: str, *, many: bool = False, **extra) -> serializers.Serializer:
    return inline_serializer(
        component,
        {
            **extra,
            "received": serializers.IntegerField(),
            "incident_linked": serializers.IntegerField(
                help_text="Of those received, the complaints linked to a building-wide incident"
            ),
            "closed": serializers.IntegerField(),
            "open_at_end": serializers.IntegerField(),
            "escalated": serializers.IntegerField(),
            "overdue_at_end": serializers.IntegerField(),
            "callbacks_on_time": serializers.FloatField(**SHARE),
            "median_resolution_hours": serializers.FloatField(allow_null=True),
            "satisfaction": serializers.FloatField(**SHARE),
            "follow_up_rate": serializers.FloatField(
                **SHARE,
                help_text="Of the complaints closed in the week, the share whose closing "
                "recorded a rating (satisfied, fairly or unsatisfied)",
            ),
            "resident_satisfaction": serializers.FloatField(
                **SHARE,
                help_text="Of the residents' own ratings given in the week, the share "
                "satisfied or fairly satisfied",
            ),
            "repeat": serializers.IntegerField(),
            "invalid": serializers.IntegerField(),
            "without_incidents": WITHOUT_INCIDENTS,
            "mindsets": MINDSETS,
        },
        many=many,
    )


REPORT = inline_serializer(
    "WeeklyReport",
    {
        "week": serializers.CharField(),
        "estate": serializers.CharField(allow_null=True),
        "in_progress": serializers.BooleanField(
            help_text="The week has not yet ended on every estate's clock: the figures are "
            "those so far, as of computed_at, and are never kept as the week's"
        ),
        "start": serializers.DateField(help_text="Monday of the week"),
        "end": serializers.DateField(help_text="Monday after the week (exclusive)"),
        "time_zones": inline_serializer(
            "WeeklyBounds",
            {
                "time_zone": serializers.CharField(),
                "estates": serializers.ListField(child=serializers.CharField()),
                "start": serializers.DateTimeField(),
                "end": serializers.DateTimeField(),
            },
            many=True,
            help_text="The week's exact bounds on each estate's clock",
        ),
        "estates": inline_serializer(
            "WeeklyEstate",
            {"code": serializers.CharField(), "name": serializers.CharField()},
            many=True,
        ),
        "categories": _figures(
            "WeeklyCategory", many=True, code=serializers.CharField(), name=serializers.CharField()
        ),
        "total": _figures("WeeklyFigures"),
        "previous_week": serializers.CharField(),
        "previous_total": _figures("WeeklyPreviousFigures"),
        "top_buildings": inline_serializer(
            "WeeklyBuilding",
            {
                "label": serializers.CharField(),
                "received": serializers.IntegerField(),
                "estate": serializers.CharField(),
                "building": serializers.IntegerField(),
            },
            many=True,
        ),
        "trend": inline_serializer(
            "WeeklyTrend",
            {
                "week": serializers.CharField(),
                "received": serializers.IntegerField(),
                "closed": serializers.IntegerField(),
                "escalated": serializers.IntegerField(),
                "in_progress": serializers.BooleanField(
                    help_text="This week is not over yet: its figures are those so far"
                ),
            },
            many=True,
        ),
        "incidents": inline_serializer(
            "WeeklyIncident",
            {
                "id": serializers.IntegerField(),
                "reference": serializers.CharField(),
                "title": serializers.CharField(),
                "estate": serializers.CharField(),
                "category": serializers.CharField(),
                "category_name": serializers.CharField(),
                "buildings": serializers.ListField(
                    child=serializers.CharField(), help_text="Empty: the whole estate"
                ),
                "opened_at": serializers.DateTimeField(),
                "resolved_at": serializers.DateTimeField(
                    allow_null=True, help_text="Null: not resolved by the week's end"
                ),
                "incident_linked": serializers.IntegerField(
                    help_text="Linked complaints received in the week"
                ),
            },
            many=True,
            help_text="Building-wide incidents opened in the week or unresolved at some "
            "moment of it, oldest first",
        ),
        "computed_at": serializers.DateTimeField(
            help_text="When the figures were computed: a week that is over is kept once computed"
        ),
    },
)


class ReadsWeeklySummary(BasePermission):
    message = _("The weekly summary is for supervisors and managers.")

    def has_permission(self, request, view) -> bool:
        return can_read_weekly(request.user)


class WeeklyReport(APIView):
    permission_classes = [IsAuthenticated, ReadsWeeklySummary]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "week",
                str,
                description="ISO week, e.g. 2026-W47; default last week. A week after the "
                "current one is refused (400)",
            ),
            OpenApiParameter("estate", str, description="Estate code; default all you cover"),
        ],
        responses=REPORT,
    )
    def get(self, request):
        form = WeeklyReportForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        return Response(
            weekly_report(reader=request.user, week=form.chosen_week, estate=form.chosen_estate)
        )
