"""Parts of a page rendered by Jinja2 (``templates/jinja2/``, ``config/jinja2.py``): the rows and
cards a list repeats fifty times, which Django's templates take five times longer to place.
The page's own template puts the result where the loop was."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def jinja_fragment(name: str, context: dict) -> SafeString:
    """``name`` rendered with ``context`` alone (no request: a form's CSRF token is passed in,
    read once for the page, where Django's Jinja2 backend would work it out at every use)."""
    html = render_to_string(name, context, using="jinja2")
    return mark_safe(html)  # Jinja2 escaped every value (autoescape)
