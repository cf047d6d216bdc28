"""The weekly summary's pages: /reports/weekly/ and its exports (SPEC §7 Pages)."""

from django.urls import path

from complaints.reports import views

app_name = "reports"

urlpatterns = [
    path("weekly/", views.weekly, name="weekly"),
    path("weekly.csv", views.weekly_csv, name="weekly-csv"),
    path("weekly.xlsx", views.weekly_xlsx, name="weekly-xlsx"),
]
