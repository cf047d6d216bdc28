"""The weekly summaries' own records, read-only: each is written by the report itself."""

from django.contrib import admin

from complaints.admin import ReadOnlyAdminMixin
from reports.models import WeeklyReportDelivery, WeeklySummaryChange, WeeklySummarySnapshot


@admin.register(WeeklyReportDelivery)
class WeeklyReportDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["manager", "week", "sent_at", "attempts"]
    list_filter = ["week"]
    list_select_related = ["manager"]


@admin.register(WeeklySummarySnapshot)
class WeeklySummarySnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Finished weeks as stored; each is computed again by itself when history changes."""

    list_display = ["week", "scope", "ends_at", "computed_at"]
    list_filter = ["week"]
    exclude = ["payload"]


@admin.register(WeeklySummaryChange)
class WeeklySummaryChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["recorded_at", "since", "estate"]
    list_select_related = ["estate"]
