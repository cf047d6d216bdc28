"""Conditions that another app lends the worklist, so that its numbers link to their rows.

The weekly summary links each count to the complaints behind it, by the summary's own
definition of the count. The summary reads complaints, never the other way round, so it hands
its definition over here when it starts (``reports.apps``) and the worklist asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class CountLink:
    """The complaints behind one count of a report: ``condition(figure=…, week=…)``."""

    labels: Mapping[str, StrOrPromise]
    condition: Callable[..., Q]
    validate_week: Callable[[str], None]


_registered: list[CountLink] = []


def count_link_register(link: CountLink) -> None:
    _registered[:] = [link]


def count_link() -> CountLink | None:
    return _registered[0] if _registered else None
