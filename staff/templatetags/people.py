"""People on the desk's pages: by name, with the username on hover for whoever needs it."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from staff.names import Person, person_name

register = template.Library()


@register.filter
def person(user: Person | None) -> SafeString | str:
    """``<span title="frontdesk">王芳</span>``; empty for nobody."""
    if user is None:
        return ""
    return format_html('<span title="{}">{}</span>', user.get_username(), person_name(user))


@register.filter(name="person_name")
def person_name_filter(user: Person | None) -> str:
    """The name alone, where markup cannot go (an attribute, a plain-text email)."""
    return person_name(user)
