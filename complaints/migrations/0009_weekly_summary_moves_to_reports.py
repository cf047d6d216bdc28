"""The weekly summary's three models move to the ``reports`` app.

Only Django's record of the models moves: the tables and their rows stay where they are, and
``reports`` takes them over under their old names (``reports/migrations/0001_initial.py``).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0008_search_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='weeklyreportdelivery',
                    name='manager',
                ),
                migrations.RemoveField(
                    model_name='weeklysummarychange',
                    name='estate',
                ),
                migrations.DeleteModel(
                    name='WeeklySummarySnapshot',
                ),
                migrations.DeleteModel(
                    name='WeeklyReportDelivery',
                ),
                migrations.DeleteModel(
                    name='WeeklySummaryChange',
                ),
            ],
            database_operations=[],
        ),
    ]
