"""The weekly summary's pages, /reports/weekly/ and its exports, and its API (SPEC §7)."""

from django.urls import path

from reports import api, views

app_name = "reports"

urlpatterns = [
    path("weekly/", views.weekly, name="weekly"),
    path("weekly.csv", views.weekly_csv, name="weekly-csv"),
    path("weekly.xlsx", views.weekly_xlsx, name="weekly-xlsx"),
]

# Joined to the complaints API under /api/v1/ (``config.urls``), in its "api" namespace.
api_urlpatterns = [
    path("reports/weekly/", api.WeeklyReport.as_view(), name="weekly-report"),
]
