"""A trigram index on ``UPPER(reference)``, PostgreSQL only: the search finds a piece of a
reference (``261207-0003``, ``HY-261207``) with ``icontains``, a leading wildcard that the
B-tree of ``0008_search_indexes`` cannot serve. Built concurrently, as those were."""

from django.db import migrations

NAME = "complaint_reference_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [NAME]
        )
        row = cursor.fetchone()
    if row and row[0]:  # a concurrent build that failed left it INVALID
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON complaints_complaint "
        "USING gin (UPPER(reference::text) gin_trgm_ops) WITH (fastupdate = off)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("complaints", "0019_submission_key_incident")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
