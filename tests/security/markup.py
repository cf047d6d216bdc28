"""Hostile text for the attack tests, and a reader that finds live markup in a page."""

from __future__ import annotations

from html.parser import HTMLParser

from django.utils.html import escape

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'


def hostile(field: str) -> str:
    """Text that would run script if a page placed it unescaped, tagged with its field."""
    return f"{field}{SCRIPT}{BREAKOUT}"


def escaped(field: str) -> str:
    """How a page must show ``hostile(field)``: as text."""
    return escape(hostile(field))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in attributes:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (an event handler)")
        inline = tag == "script" and not attributes.get("src")
        if inline and attributes.get("type") != "application/json":
            self.problems.append("<script> without src (an inline script)")
        if tag == "img" and attributes.get("src") == "x":
            self.problems.append("<img src=x> (injected markup)")


def live_markup(html: str) -> list[str]:
    """Event handlers, inline scripts and injected images found in ``html``."""
    reader = _Tags()
    reader.feed(html)
    reader.close()
    return reader.problems
