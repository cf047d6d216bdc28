"""The queue's order as a column: ``Escalation.overdue_since`` and the partial index that reads
the open escalations in that order.

Existing rows get what the queue computed until now, COALESCE(missed deadline's due time,
raised time), in one set-based statement: a database of a million complaints holds about half
a million escalations.
"""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

BACKFILL_POSTGRESQL = """
UPDATE complaints_escalation AS e
   SET overdue_since = COALESCE(d.due_at, e.created_at)
  FROM complaints_escalation AS o
  LEFT JOIN complaints_deadline AS d ON d.id = o.deadline_id
 WHERE o.id = e.id
"""


def overdue_since_backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL_POSTGRESQL)
        # Every row was rewritten: give the planner the new column's figures now rather than
        # whenever autovacuum comes by.
        schema_editor.execute("ANALYZE complaints_escalation")
        return
    Escalation = apps.get_model("complaints", "Escalation")
    Deadline = apps.get_model("complaints", "Deadline")
    due = Deadline.objects.filter(pk=OuterRef("deadline_id")).values("due_at")[:1]
    Escalation.objects.using(schema_editor.connection.alias).update(
        overdue_since=Coalesce(Subquery(due), F("created_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_deadline_owed_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="overdue_since",
            field=models.DateTimeField(null=True, verbose_name="overdue since"),
        ),
        migrations.RunPython(overdue_since_backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="escalation",
            name="overdue_since",
            field=models.DateTimeField(
                help_text="The missed deadline's due time, or when it was raised: the queue's order.",
                verbose_name="overdue since",
            ),
        ),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(
                condition=models.Q(("acknowledged_at__isnull", True)),
                fields=["overdue_since", "id"],
                name="escalation_queue",
            ),
        ),
    ]
