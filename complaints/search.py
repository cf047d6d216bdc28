"""The worklist's search box (also the API list's and the exports' ``q``), and how it stays fast.

``q`` matches a complaint by its reference, whole or in part when ``q`` reads as a piece of one
(``261207-0003``, ``HY-261207``, ``0003``; any case, spaces for dashes); its summary, its
contact's name or its resident's name containing ``q`` (any case); when ``q`` is a phone number
of four digits or more, any part of the contact's or the resident's phone (at most the last
eleven digits, so ``+86 138 1234 5678`` and ``13812345678`` find the same); and when ``q`` holds
a digit, its unit as callers say it (``3号楼2单元801``, ``3-2-801``, ``32801``, full-width
digits too: ``residents.selectors.unit_match``). Characters that show nothing (a zero-width
space copied from a chat) are left out first (``search_text``).

Each way of matching is its own SELECT of ids, joined by UNION ALL (``search_match``), and on
PostgreSQL each has an index (migration ``…_search_indexes``), so a rare match is gathered from
the indexes and only the few rows found are sorted:

- the reference: a B-tree on ``UPPER(reference)`` for the whole one, a trigram index for a piece
  (migration ``…_reference_search_index``);
- texts and phones: trigram (``pg_trgm``) GIN indexes on exactly what ``icontains`` and
  ``endswith`` write;
- a ``q`` of one or two characters (a Chinese name is often two), too short for trigrams: a GIN
  index of the characters and pairs of characters of the summary and the contact's name
  (``complaint_search_grams``), see ``short_text_match``;
- the resident: the matching residents are read first, in a query of their own, and the
  complaints' branch is a list of their ids (``residents.selectors.ids_listed``), which the
  planner can estimate. (A resident found by her phone is listed only if she called from
  another number, see ``search_match``.)
- the unit: likewise, the matching units' ids are read first; the complaints' foreign key
  is indexed.

On SQLite the same conditions are plain ``LIKE``s over the table, as before.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Func, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from complaints.models import Complaint
from residents.models import Resident, Unit
from residents.selectors import any_of, ids_listed, phone_digits, unit_match
from residents.unit_words import without_format_characters

# The longest search the worklist, the API and the exports take.
Q_MAX = 100
# ``32801`` or ``3021201`` may be a unit; a longer run of digits is a phone number.
UNIT_DIGITS_MAX = 7
_REFERENCE_PIECE = re.compile(r"[A-Z0-9-]+")
_DIGIT = re.compile(r"[0-9]")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[‐-―−－~～/-]+")


def plain_width(q: str) -> str:
    """Full-width digits, letters and dashes as their plain forms (NFKC)."""
    return unicodedata.normalize("NFKC", q or "")


def search_text(q: str | None) -> str:
    """``q`` as the search reads it: stripped, without characters that show nothing."""
    return without_format_characters(q or "").strip()


class GramsContain(Func):
    """``complaint_search_grams(summary, contact_name) @> ARRAY[UPPER(q)]``: true when either text
    contains ``q`` of one or two characters, in any case; what the GIN index answers."""

    output_field = BooleanField()

    def __init__(self, q: str) -> None:
        super().__init__(F("summary"), F("contact_name"), Value(q))

    # Its own SQL: none of Func's template arguments apply.
    def as_sql(self, compiler, connection, *args, **extra_context):
        (summary, p1), (name, p2), (q, p3) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = f"complaint_search_grams({summary}, {name}) @> ARRAY[UPPER({q})]"
        return sql, (*p1, *p2, *p3)


def short_text_match(q: str) -> Q:
    """``q`` of one or two characters in the summary or the contact's name, any case.

    The same rows as ``icontains`` on either text, written twice: first the two ``LIKE``s, which
    a read in received order evaluates on every row it passes (cheap; the function behind the
    index costs microseconds a row and is reached only for rows that match), then the index's
    condition, which PostgreSQL uses to gather a rare match. The ``LIKE``s sit in
    ``COALESCE(…, TRUE)`` (the same value: neither side is ever NULL) so that the planner takes
    them for an unknown half instead of multiplying the index condition's estimate by theirs,
    which would square it: a 1 % match would look like 0.01 % and be gathered and sorted whole.
    """
    texts = Q(summary__icontains=q) | Q(contact_name__icontains=q)
    precheck = Coalesce(ExpressionWrapper(texts, output_field=BooleanField()), Value(True))
    return Q(precheck) & Q(GramsContain(q))


def _short(q: str) -> bool:
    """Too short for trigrams, on PostgreSQL; and upper-cased without a change of length (``ß``
    becomes ``SS``), so that the index's pieces are as long as the search."""
    return connection.vendor == "postgresql" and len(q) <= 2 and len(q.upper()) == len(q)


def reference_piece(q: str) -> str:
    """``q`` as a piece of a reference (upper case, dashes for spaces), or "" when it is none:
    letters, digits and dashes, four or more, with a digit."""
    piece = _SPACES.sub("-", plain_width(q).strip().upper())
    piece = _DASHES.sub("-", piece)
    if len(piece) < 4 or not _REFERENCE_PIECE.fullmatch(piece) or not _DIGIT.search(piece):
        return ""
    return piece


def _unit_match(q: str) -> Q:
    """The complaints of the units ``q`` names; none when it holds no digit (every unit has a
    room number) or is a phone number, too long for a unit."""
    said = _SPACES.sub("", plain_width(q))
    if not _DIGIT.search(said) or (said.isdigit() and len(said) > UNIT_DIGITS_MAX):
        return Q()
    return ids_listed(Unit.objects.filter(unit_match(said)), "unit_id") or Q()


def search_match(q: str) -> Q:
    """The complaints ``q`` (stripped, not empty) finds; reads the matching residents' and
    units' ids.

    Each way of matching (reference, words, phone, residents, units) is its own SELECT of ids,
    joined by UNION ALL, so that each takes its own index. Written as one OR, PostgreSQL
    expects thousands of matches where there are dozens, walks the complaints newest first and
    filters 175,000 of a million for a page (a name: 160 ms; as ids: 50 ms)."""
    piece = reference_piece(q)
    ways = [Q(reference__icontains=piece) if piece else Q(reference__iexact=q)]
    if _short(q):
        ways.append(short_text_match(q))
    else:
        ways.append(Q(summary__icontains=q) | Q(contact_name__icontains=q))
    residents = Q(name__icontains=q)
    if digits := phone_digits(plain_width(q)):
        part = digits[-11:]
        ways.append(Q(contact_phone__contains=part))
        # A resident found by her phone adds only the complaints called in from another number
        # (a relative's, or hers before it changed): the contact phone finds the rest.
        other_number = Complaint.objects.filter(resident=OuterRef("pk")).exclude(
            contact_phone__contains=part
        )
        residents |= Q(phone__contains=part) & Q(Exists(other_number))
    ways.append(ids_listed(Resident.objects.filter(residents), "resident_id") or Q())
    ways.append(_unit_match(q))
    return any_of(Complaint, [way for way in ways if way])
