"""The API's JSON parser: what no request body of the desk needs is refused before parsing.

Python's JSON decoder recurses once per level of nesting, so a body of a thousand ``[`` ends in
a RecursionError; and it reads ``1e400`` as infinity, which no number field can hold. Both are
bad input (400), answered before anything else reads the body.
"""

from __future__ import annotations

import codecs
import json
import math
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest nesting a body may have: the desk's deepest body is two levels.
MAX_DEPTH = 32
# A string, escapes included, is skipped whole: brackets inside one are text.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str, *, limit: int = MAX_DEPTH) -> int:
    """How deeply the JSON ``text`` nests arrays and objects, counted up to ``limit + 1``.

    A scan, not a parse: it recurses nowhere, whatever the text holds."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match[0] in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        else:
            depth -= 1
    return deepest


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("A number in the body is too large."))
    return value


class BoundedJSONParser(JSONParser):
    """JSON no deeper than ``MAX_DEPTH`` levels, with finite numbers only."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(
                _("The body nests deeper than %(depth)d levels.") % {"depth": MAX_DEPTH}
            )
        try:
            return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
        except ValueError as exc:
            # The wording of DRF's own parser, which clients have always read.
            raise ParseError(f"JSON parse error - {exc}") from None


def _no_constant(name: str):
    """``NaN`` and ``Infinity`` are not JSON, though Python's decoder reads them."""
    raise ValueError(_("%(constant)s is not a number JSON allows.") % {"constant": name})
