"""Names someone can read: a name made only of characters that draw nothing is no name.

Zero-width spaces, joiners, bidirectional controls and the like pass a "required" check, since
they are not whitespace; a complaint or a resident named with them shows up blank, and a name
with a right-to-left override reads backwards. Such a name is refused where a name is needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from pypinyin import Style, lazy_pinyin

from staff.names import FAMILY_NAME_READINGS

# Unicode categories that draw nothing by themselves: controls, format characters (zero-width
# characters, bidirectional controls, the soft hyphen), separators and the marks that only
# change the character before them. Private-use characters count as visible: rare Chinese
# characters of names live there in older systems.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cs"})
# Letters and symbols that fonts draw as blank space: the Hangul fillers and the blank
# Braille pattern.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

INVISIBLE_NAME_MESSAGE = _("A name needs at least one visible character.")


def is_visible(text: str) -> bool:
    """Whether ``text`` has at least one character that is drawn as something."""
    return any(
        unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _BLANK_CHARACTERS
        for char in text
    )


def validate_visible_name(value: str) -> None:
    """For a name that is required: refuses one with nothing visible in it."""
    if not is_visible(value or ""):
        raise ValidationError(INVISIBLE_NAME_MESSAGE, code="invisible")


def name_initials(name: str) -> str:
    """``陈小明`` → ``cxm``, ``曾小明`` → ``zxm``, ``Li Lei`` → ``ll``: the first letter of each
    character's pinyin (a family name as a family name is read, the rest by the most common
    reading) and of each Latin word, lower case, for typing a name heard."""
    name = name or ""
    letters: list[str] = []
    family = _family_name(name)
    if family:
        # Its reading's first letter; a second character (迟 of 尉迟) has one reading.
        letters.append(FAMILY_NAME_READINGS[family][0])
        letters.extend(part[0] for part in lazy_pinyin(family[1:], style=Style.FIRST_LETTER))
        name = name[len(family) :]
    for part in lazy_pinyin(name, style=Style.FIRST_LETTER):
        letters.extend(word[0] for word in re.split(r"[^0-9A-Za-z]+", part) if word)
    return "".join(letters).lower()[:100]


def names_list(names: Iterable[str]) -> str:
    """Names joined as the reader's language lists them: 海悦花园、锦都名苑 in Chinese,
    "Haiyue Garden, Jindu" in English."""
    return pgettext("list separator", ", ").join(str(name) for name in names)


def _family_name(name: str) -> str:
    """The family name ``name`` starts with when it is read otherwise as a family name."""
    for family in sorted(FAMILY_NAME_READINGS, key=len, reverse=True):
        if name.startswith(family):
            return family
    return ""
