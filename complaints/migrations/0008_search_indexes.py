"""Indexes for the worklist's search (``complaints.search``), PostgreSQL only.

The search matches texts anywhere (``UPPER(col::text) LIKE UPPER('%q%')``, Django's
``icontains``) and phones by their end (``col::text LIKE '%digits'``): a leading wildcard that
no B-tree can serve. So:

- each searched text and phone gets a trigram (``pg_trgm``) GIN index on exactly the expression
  the ORM emits, and the reference a B-tree on ``UPPER(reference)``;
- trigrams need three characters, and a Chinese name is often two: for a search of one or two
  characters, ``complaint_search_grams(summary, contact_name)`` lists every character and pair
  of adjacent characters of both texts (upper-cased) and a GIN index holds them; the search
  then asks ``… @> ARRAY[UPPER(q)]``, which is true exactly when either text contains ``q``.

With an index for every branch of the search's OR, PostgreSQL combines them (BitmapOr) for a
rare match instead of reading the whole table in received order.

``pg_trgm`` ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
database's owner may create it (docs/deploy.md). On SQLite nothing is created and the search
works as before, by reading the table.
"""

from django.db import migrations

# The characters and the pairs of adjacent characters of the summary and the contact's name,
# upper-cased, joined by a newline. A search of one or two characters has no whitespace (it is
# stripped), so no piece holding the newline can equal it: no match across the two texts.
# plpgsql: twice as fast as the same in SQL (4 µs a row), which runs a query per call. The index
# stores its results: a changed definition needs a new name, or REINDEX.
GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION complaint_search_grams(summary text, contact_name text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    chars text[] := string_to_array(upper(summary || E'\n' || contact_name), NULL);
    grams text[] := chars;
BEGIN
    FOR i IN 1 .. cardinality(chars) - 1 LOOP
        grams := grams || (chars[i] || chars[i + 1]);
    END LOOP;
    RETURN grams;
END
$$
"""

# name, table, USING, expression: each expression as the search writes it in its WHERE.
INDEXES = (
    ("complaint_reference_upper", "complaints_complaint", "btree", "UPPER(reference::text)"),
    ("complaint_summary_trgm", "complaints_complaint", "gin", "UPPER(summary::text) gin_trgm_ops"),
    (
        "complaint_contact_name_trgm",
        "complaints_complaint",
        "gin",
        "UPPER(contact_name::text) gin_trgm_ops",
    ),
    ("complaint_contact_phone_trgm", "complaints_complaint", "gin", "contact_phone gin_trgm_ops"),
    (
        "complaint_search_grams",
        "complaints_complaint",
        "gin",
        "complaint_search_grams(summary, contact_name)",
    ),
    ("resident_name_trgm", "residents_resident", "gin", "UPPER(name::text) gin_trgm_ops"),
    ("resident_phone_trgm", "residents_resident", "gin", "phone gin_trgm_ops"),
)

# The samples the search's estimates come from (see create()).
STATISTICS = (
    "ALTER TABLE complaints_complaint ALTER COLUMN contact_phone SET STATISTICS {target}, "
    "ALTER COLUMN resident_id SET STATISTICS {target}",
    "ALTER INDEX complaint_summary_trgm ALTER COLUMN 1 SET STATISTICS {target}",
    "ALTER INDEX complaint_contact_name_trgm ALTER COLUMN 1 SET STATISTICS {target}",
)


def _drop_if_invalid(schema_editor, name: str) -> None:
    """A concurrent build that failed leaves an INVALID index behind; build it again."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name]
        )
        row = cursor.fetchone()
    if row and row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(GRAMS_FUNCTION)
    # CONCURRENTLY: intake goes on while the indexes are built (about a minute at a million
    # complaints), hence the non-atomic migration.
    # GIN without fastupdate: each insert updates the index at once (+0.1 ms) instead of
    # queueing in a pending list that every search must scan and that some unlucky intake
    # flushes into the index (100 ms, every few thousand complaints).
    for name, table, method, expression in INDEXES:
        _drop_if_invalid(schema_editor, name)
        options = " WITH (fastupdate = off)" if method == "gin" else ""
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
            f"USING {method} ({expression}){options}"
        )
    # The planner picks between the indexes and a read in received order by how many rows it
    # expects, from samples of these columns. At the default 100 a phone or a name that happens
    # to be one of the hundred histogram bounds counts as 1 % of the table however rare it is,
    # and PostgreSQL reads the table in received order instead; at 1000 the common values are
    # counted exactly and a bound weighs 0.1 %. ANALYZE then samples 300,000 rows, not 30,000.
    for statement in STATISTICS:
        schema_editor.execute(statement.format(target=1000))
    # Gather them now rather than at autovacuum's next pass.
    schema_editor.execute("ANALYZE complaints_complaint, residents_resident")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in STATISTICS[:1]:
        schema_editor.execute(statement.format(target=-1))
    for name, _table, _method, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS complaint_search_grams(text, text)")
    # pg_trgm stays: something else may use it, and it costs nothing unused.


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("complaints", "0007_weekly_snapshot"),
        ("residents", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
