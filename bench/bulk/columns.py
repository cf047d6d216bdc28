"""Fast inserts for the demo's many rows: PostgreSQL ``COPY``, SQLite ``executemany``.

``QuerySet.bulk_create`` prepares every value through the field layers one at a time; for the
demo that was most of the cost (measured against PostgreSQL on two cores: 1.65 ms per demo
complaint, 100,000 complaints in about 165 s). Here ids are reserved from the table's own
sequence first, so that rows pointing at each other are written without ``RETURNING``, and
each column is converted in one pass, the way the backend's adapters would.

Rows are model instances or plain objects whose attributes are the model's column attnames
(``demo.rows``); a column an object lacks gets the field's default. No ``pre_save`` runs:
``auto_now`` fields keep the values given, which is what historical demo rows need. Call
``columns_insert`` inside the batch's transaction.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.db.models import Field, JSONField, Model

# Field types whose values the converters below understand; anything else is refused.
_KNOWN = {
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField",
    "EmailField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
    "FileField", "BooleanField", "DateField", "DateTimeField", "JSONField", "ForeignKey",
    "OneToOneField",
}  # fmt: skip
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def ids_reserve(model: type[Model], objs: Sequence[object]) -> None:
    """Give each new row the id it will have."""
    if not objs:
        return
    table = model._meta.db_table
    column = model._meta.pk.column
    assert column is not None  # only a field without a column (a relation's reverse) has none
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, len(objs)],
            )
            ids: Sequence[int] = [row[0] for row in cursor.fetchall()]
        elif connection.vendor == "sqlite":
            # The batch transaction began IMMEDIATE and holds SQLite's only write lock, so
            # nobody else takes these. AUTOINCREMENT never reuses an id: respect its record.
            quoted_table, quoted_column = (connection.ops.quote_name(n) for n in (table, column))
            cursor.execute(
                f"SELECT max(coalesce((SELECT max({quoted_column}) FROM {quoted_table}), 0), "
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            first = cursor.fetchone()[0] + 1
            ids = range(first, first + len(objs))
        else:
            raise NotImplementedError(f"No fast insert for {connection.vendor} databases")
    attname = model._meta.pk.attname
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, attname, pk)


@dataclass
class Columns:
    """A table's new rows column by column: plain values, so they can be handed to another
    process to insert (``bench.bulk.writer`` writes from one while the next batch is made)."""

    model: str  # "app_label.ModelName"
    names: list[str]  # field names, in column order
    values: list[list]


def rows_columns(model: type[Model], objs: Sequence[object]) -> Columns:
    pk = model._meta.pk
    with_ids = getattr(objs[0], pk.attname, None) is not None
    fields = [f for f in model._meta.concrete_fields if with_ids or f is not pk]
    unknown = [f.name for f in fields if f.get_internal_type() not in _KNOWN]
    if unknown:
        raise NotImplementedError(f"No fast insert for {model.__name__} fields {unknown}")
    return Columns(
        model=model._meta.label,
        names=[field.name for field in fields],
        values=[_column(field, objs) for field in fields],
    )


def columns_insert(columns: Columns) -> None:
    model = apps.get_model(columns.model)
    fields = [model._meta.get_field(name) for name in columns.names]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cells = [_copy_cells(f, v) for f, v in zip(fields, columns.values, strict=True)]
            text = "".join(["\t".join(row) + "\n" for row in zip(*cells, strict=True)])
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(text))
        else:
            values = [_sqlite_values(f, v) for f, v in zip(fields, columns.values, strict=True)]
            rows = list(zip(*values, strict=True))
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def _column(field: Field, objs: Sequence[object]) -> list:
    attname = field.attname
    if hasattr(objs[0], attname):
        return [getattr(obj, attname) for obj in objs]
    return [field.get_default() for _ in objs]


def _copy_cells(field: Field, values: list) -> list[str]:
    """One column in COPY's text format: ``\\N`` for NULL, backslash escapes."""
    kind = field.get_internal_type()
    null, escapes = "\\N", _COPY_ESCAPES
    if kind == "BooleanField":
        return [null if v is None else ("t" if v else "f") for v in values]
    if kind in ("DateTimeField", "DateField"):
        return [null if v is None else v.isoformat() for v in values]
    if isinstance(field, JSONField):
        dumps = json.JSONEncoder if field.encoder is None else field.encoder
        encode = dumps(ensure_ascii=False).encode
        return [null if v is None else encode(v).translate(escapes) for v in values]
    if field.is_relation or kind.endswith(("AutoField", "IntegerField")):
        return [null if v is None else str(v) for v in values]
    return [null if v is None else str(v).translate(escapes) for v in values]


def _sqlite_values(field: Field, values: list) -> list:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return [ops.adapt_datetimefield_value(v) for v in values]
    if kind == "DateField":
        return [ops.adapt_datefield_value(v) for v in values]
    if isinstance(field, JSONField):
        return [ops.adapt_json_value(v, field.encoder) for v in values]
    return values
