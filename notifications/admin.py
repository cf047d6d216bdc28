"""The outbox, read-only: every row is written by the change that caused it."""

from django.contrib import admin

from complaints.admin import ReadOnlyAdminMixin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox: what was sent to whom, what waits, and why a send failed."""

    list_display = [
        "kind",
        "audience",
        "channel",
        "recipient",
        "address",
        "not_before",
        "sent_at",
        "attempts",
    ]
    list_filter = ["kind", "audience", "channel", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "address", "complaint__reference"]
    list_select_related = ["recipient"]
    show_full_result_count = False
