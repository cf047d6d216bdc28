"""Names as people read them: "2号楼" before "10号楼", numbers compared as numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Text and numbers alternate after the split (text first), so keys always compare."""
    parts = _DIGITS.split(text)
    return (
        tuple(int(part) if index % 2 else part.casefold() for index, part in enumerate(parts)),
        text,
    )


def natural_order(items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by their names, read naturally."""
    return sorted(items, key=lambda item: natural_key(name(item)))
