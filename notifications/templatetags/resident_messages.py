"""The complaint page's list of the text messages to its resident: what was sent, and when."""

from __future__ import annotations

from django import template

from notifications.models import Notification

register = template.Library()


@register.inclusion_tag("notifications/_resident_messages.html")
def resident_messages(complaint) -> dict:
    rows = Notification.objects.filter(
        complaint=complaint, audience=Notification.Audience.RESIDENT
    ).order_by("created_at", "id")
    return {"messages": list(rows)}
