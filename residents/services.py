"""Changes to residents that other apps ask for."""

from __future__ import annotations

import datetime as dt


def messages_stop(*, phone: str, at: dt.datetime, via: str) -> None:
    """The resident with this phone (digits, as ``normalise_phone`` gives) wants no more text
    messages from ``at`` on; ``via`` says how they asked (``reply``: a reply to one)."""
