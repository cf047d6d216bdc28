"""Template helpers of the desk's layout and pages."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from complaints import display
from complaints.guidance import key_points
from complaints.selectors import escalations_waiting_for
from residents.names import names_list
from residents.phones import mask_phone
from staff.roles import FRONT_DESK_PLUS, ROLE_LABELS, SUPERVISOR_PLUS, user_roles

register = template.Library()


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# The badge counts up to this many and then shows "99+": on every page, a count that stops
# early costs the same at a hundred open escalations as at a hundred thousand.
BADGE_MAX = 99


def badge(queryset) -> int | str:
    count = queryset[: BADGE_MAX + 1].count()
    return f"{BADGE_MAX}+" if count > BADGE_MAX else count


@register.simple_tag(takes_context=True)
def desk_nav(context) -> dict:
    """What the navigation offers this user, with the count of open escalations they work."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    roles = user_roles(user)
    supervises = bool(roles & SUPERVISOR_PLUS)
    return {
        "signed_in": True,
        "can_log": bool(roles & FRONT_DESK_PLUS),
        "can_see_residents": bool(roles & FRONT_DESK_PLUS),
        "supervises": supervises,
        # Every desk role reads the incidents: the front desk reads their notices out.
        "sees_incidents": bool(roles),
        "open_escalations": (badge(escalations_waiting_for(user)) if supervises else 0),
        "weekly_url": _url_or_none("reports:weekly") if supervises else None,
        "is_admin": user.is_staff,
        "role_labels": [str(ROLE_LABELS[role]) for role in sorted(roles) if role in ROLE_LABELS],
        "section": getattr(getattr(request, "resolver_match", None), "view_name", ""),
    }


@register.filter
def masked(phone: str) -> str:
    return mask_phone(phone) if phone else ""


@register.filter
def time_left(due_at, now=None):
    if due_at is None:
        return None
    return display.time_left(due_at, now or timezone.now())


@register.filter
def listed(names) -> str:
    """Names joined with 、 in Chinese and commas in English."""
    return names_list(names)


@register.filter
def stage_label(stage: str) -> str:
    return display.stage_label(stage)


@register.filter
def event_label(kind: str) -> str:
    return display.event_label(kind)


@register.filter
def waited(since, now=None) -> str:
    return display.duration((now or timezone.now()) - since) if since else ""


@register.filter
def readable_phone(phone: str) -> str:
    """``8613812345678`` → ``138 1234 5678``; other numbers as stored."""
    digits = phone or ""
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return digits


@register.inclusion_tag("complaints/_key_points.html")
def stage_key_points(stage: str) -> dict:
    """The procedure's key points of ``stage``, collapsed: one tab stop, none between fields."""
    return {"points": key_points(stage)}
