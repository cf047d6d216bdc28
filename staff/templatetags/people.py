"""People on the desk's pages: by name, with the username on hover for whoever needs it."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from staff.names import Person, person_html, person_name

register = template.Library()


@register.filter
def person(user: Person | None) -> SafeString | str:
    """``<span title="frontdesk">王芳</span>``; empty for nobody."""
    return person_html(user)


@register.filter(name="person_name")
def person_name_filter(user: Person | None) -> str:
    """The name alone, where markup cannot go (an attribute, a plain-text email)."""
    return person_name(user)
