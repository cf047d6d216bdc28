"""API tokens move to django-rest-knox, which stores only a digest of each token.

The tokens Django REST framework issued before (``authtoken_token``, kept in plain text) are
carried over as knox rows holding their SHA-512 digest and their first 15 characters, so every
integration keeps working with the token it has, until DESK_API_TOKEN_DAYS after this migration.
The plain-text rows are then deleted; the emptied table stays for any process of the previous
release still running during the upgrade, and can be dropped afterwards (docs/deploy.md).
"""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

LEGACY_TABLE = "authtoken_token"


def carry_over_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + dt.timedelta(days=settings.DESK_API_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")
        rows = cursor.fetchall()
    AuthToken.objects.bulk_create(
        AuthToken(
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id,
            expiry=expiry,
        )
        for key, user_id, _created in rows
    )
    # ``created`` is filled on insert; the token's own issue time is the truth.
    for key, _user_id, created in rows:
        if timezone.is_naive(created):  # SQLite hands back the UTC reading without its zone
            created = timezone.make_aware(created, dt.timezone.utc)
        AuthToken.objects.filter(digest=hash_token(key)).update(created=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LEGACY_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_roles"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(carry_over_legacy_tokens, migrations.RunPython.noop)]
