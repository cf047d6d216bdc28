"""The in-app inbox at /notifications/, and its API under /api/v1/notifications/."""

from django.urls import path

from notifications import api, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
]

# Joined to the complaints API under /api/v1/ (``config.urls``), in its "api" namespace.
api_urlpatterns = [
    path("notifications/", api.NotificationList.as_view(), name="notifications"),
    path("notifications/read/", api.NotificationsRead.as_view(), name="notifications-read"),
]
