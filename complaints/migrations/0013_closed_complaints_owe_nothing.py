"""A closed complaint owes nothing: deadlines an earlier version left open on closed complaints
are settled as closing settles them now.

One due before the complaint closed had run out while it was open: it becomes "missed", as the
sweep would have marked it. One due at or after the close is cancelled. Neither changes a past
week's figures: "overdue at end" counts a missed deadline as it counted the pending one, and
the cancelled ones never fell due while the complaint was open.
"""

from django.db import migrations
from django.db.models import F


def settle(apps, schema_editor):
    Deadline = apps.get_model("complaints", "Deadline")
    open_on_closed = Deadline.objects.filter(
        state__in=("pending", "paused"), complaint__closed_at__isnull=False
    )
    open_on_closed.filter(due_at__lt=F("complaint__closed_at")).update(state="missed")
    open_on_closed.update(state="cancelled")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0012_hold_due_index")]

    operations = [migrations.RunPython(settle, migrations.RunPython.noop)]
