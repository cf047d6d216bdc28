"""The residents' pages, reached without a login (SPEC §9.2)."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("s/<str:token>/", views.status, name="status"),
    path("s/<str:token>/rate/", views.rate, name="rate"),
    path("s/<str:token>/stop/", views.stop, name="stop"),
    path("status/", views.lookup, name="lookup"),
]
