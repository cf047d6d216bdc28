"""The in-app inbox at /notifications/, its API under /api/v1/notifications/, and the address
the SMS provider pushes residents' replies to."""

from django.urls import path

from notifications import api, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("sms/replies/<str:secret>/", views.sms_replies, name="sms-replies"),
]

# Joined to the complaints API under /api/v1/ (``config.urls``), in its "api" namespace.
api_urlpatterns = [
    path("notifications/", api.NotificationList.as_view(), name="notifications"),
    path("notifications/read/", api.NotificationsRead.as_view(), name="notifications-read"),
]
