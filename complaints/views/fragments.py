"""Parts of a page rendered by Jinja2 (``templates/jinja2/``, ``config/jinja2.py``): the rows and
cards a list repeats fifty times, which Django's templates take five times longer to place.
The page's own template puts the result where the loop was."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def jinja_fragment(name: str, context: dict, request: HttpRequest | None = None) -> SafeString:
    """``name`` rendered with ``context`` (and, given the request, ``csrf_input``)."""
    html = render_to_string(name, context, request, using="jinja2")
    return mark_safe(html)  # Jinja2 escaped every value (autoescape)
