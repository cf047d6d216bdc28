"""Reads of the outbox for the people it addressed."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from notifications.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """The messages the outbox addressed to this staff member, newest first."""
    return (
        Notification.objects.filter(recipient=user, audience=Notification.Audience.STAFF)
        .select_related("complaint")
        .order_by("-created_at", "-id")
    )
