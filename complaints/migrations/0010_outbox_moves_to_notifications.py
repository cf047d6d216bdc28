"""The outbox's model moves to the ``notifications`` app.

Only Django's record of the model moves: the table and its rows stay where they are, and
``notifications`` takes it over under its old name (``notifications/migrations/0001_initial.py``).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0009_weekly_summary_moves_to_reports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Notification',
                ),
            ],
            database_operations=[],
        ),
    ]
