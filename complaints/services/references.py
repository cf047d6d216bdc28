"""Complaint references: ``TS-<estate>-<yymmdd>-<nnnn>``, numbered per estate and local day
under a row lock, never reused."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Field

from complaints.models import ReferenceCounter
from residents.models import Estate


def _column(name: str) -> str:
    """The column of one of ``ReferenceCounter``'s own fields."""
    field = ReferenceCounter._meta.get_field(name)
    assert isinstance(field, Field) and field.column is not None
    return field.column


def _counter_bump(*, estate_id: int, day: dt.date) -> int:
    """The estate-day counter plus one, in one statement (two for the day's first number).

    The row lock it takes is held until commit: every other intake for the same estate and
    day waits for it, which is what keeps the numbers sequential and never reused."""
    if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
        return _counter_bump_without_returning(estate_id=estate_id, day=day)
    quote = connection.ops.quote_name
    table = quote(ReferenceCounter._meta.db_table)
    estate_col, day_col, last = (quote(_column(name)) for name in ("estate", "day", "last"))
    params = [estate_id, connection.ops.adapt_datefield_value(day)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 "
            f"WHERE {estate_col} = %s AND {day_col} = %s RETURNING {last}",
            params,
        )
        row = cursor.fetchone()
        if row is None:
            # The day's first intake; another may be creating the row at this very moment,
            # and then this one waits for it and counts on from its number.
            cursor.execute(
                f"INSERT INTO {table} ({estate_col}, {day_col}, {last}) VALUES (%s, %s, 1) "
                f"ON CONFLICT ({estate_col}, {day_col}) DO UPDATE SET {last} = {table}.{last} + 1 "
                f"RETURNING {last}",
                params,
            )
            row = cursor.fetchone()
    return row[0]


def _counter_bump_without_returning(*, estate_id: int, day: dt.date) -> int:
    counter = ReferenceCounter.objects.filter(estate_id=estate_id, day=day)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(estate_id=estate_id, day=day, last=1)
        except IntegrityError:
            counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()


def reference_next(*, estate: Estate, day: dt.date) -> str:
    """``TS-HY-261127-0001``: numbered per estate and day under a row lock, never reused."""
    last = _counter_bump(estate_id=estate.pk, day=day)
    return f"TS-{estate.code}-{day:%y%m%d}-{last:04d}"
