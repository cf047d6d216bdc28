"""People of the desk by their names, as colleagues say and write them.

A Chinese name is written family name first with no space (陈 + 小明 → 陈小明); a Latin one
"First Last". Someone with no name set is shown by their username. Lists of people are in the
order of a Chinese staff directory: by the pinyin of the name, so 陈 comes before 李 and 王.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.safestring import SafeString
from pypinyin import lazy_pinyin


class Person(Protocol):
    first_name: str
    last_name: str

    def get_username(self) -> str: ...


# Family names whose reading differs from the character's most common one (曾 is Zeng as a
# family name, not ceng): without them 曾伟 would sort among the C's.
FAMILY_NAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "秘": "bi",
    "种": "chong",
    "覃": "qin",
    "尉迟": "yuchi",
    "长孙": "zhangsun",
}


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


def _written_chinese(first: str, last: str) -> bool:
    return any(_is_han(char) for char in first + last)


def person_html(user: Person | None) -> SafeString | str:
    """``<span title="frontdesk">王芳</span>``; empty for nobody."""
    if user is None:
        return ""
    return format_html('<span title="{}">{}</span>', user.get_username(), person_name(user))


def person_name(user: Person | None) -> str:
    """The name to show for ``user``: ``陈小明`` (last_name 陈, first_name 小明), ``Anna
    Schmidt``, or the username when no name is set; empty for nobody."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if not (first or last):
        return user.get_username()
    if _written_chinese(first, last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).casefold()


def person_sort_key(user: Person) -> tuple[str, str, str]:
    """Orders people by the pinyin of their names (the family name read as a family name),
    Latin names by their letters; the name itself and the username break ties."""
    name = person_name(user)
    first, last = user.first_name.strip(), user.last_name.strip()
    if last and _written_chinese(first, last):
        family = FAMILY_NAME_READINGS.get(last) or _pinyin(last)
        spoken = family + _pinyin(first)
    else:
        spoken = _pinyin(name)
    return spoken, name, user.get_username()


P = TypeVar("P", bound=Person)


def people_in_name_order(people: Iterable[P]) -> list[P]:
    return sorted(people, key=person_sort_key)


def person_names_of(usernames: Iterable[str]) -> dict[str, str]:
    """The names of the people with these usernames, read in one query; a username nobody has
    any more is left out."""
    wanted = {username for username in usernames if username}
    if not wanted:
        return {}
    users = (
        get_user_model()
        .objects.filter(username__in=wanted)
        .only("username", "first_name", "last_name")
    )
    return {user.get_username(): person_name(user) for user in users}
