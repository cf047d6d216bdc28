"""The bell in the navigation: how many of the signed-in user's messages are unread."""

from __future__ import annotations

from django import template

from complaints.templatetags.desk import badge
from notifications.selectors import notifications_of

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context) -> int | str:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return badge(notifications_of(user).filter(read_at__isnull=True).order_by())
