"""Reads of the outbox for the people it addressed."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from complaints.selectors import complaints_visible_condition
from notifications.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """The messages the outbox addressed to this staff member, newest first: about the
    complaints they may open now (someone it was taken from reads no more of it)."""
    visible = Q(complaint__isnull=True) | complaints_visible_condition(user, prefix="complaint__")
    return (
        Notification.objects.filter(recipient=user, audience=Notification.Audience.STAFF)
        .filter(visible)
        .select_related("complaint")
        .order_by("-created_at", "-id")
    )
