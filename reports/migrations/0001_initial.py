"""The weekly summary's models, taken over from the ``complaints`` app with their tables.

The tables were created by ``complaints`` 0003 and 0007 and keep their names and rows; only
Django's record of the models is created here. Their content types (and so the permissions
granted on them) are renamed to this app rather than created anew.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ('weeklyreportdelivery', 'weeklysummarysnapshot', 'weeklysummarychange')


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    ContentType.objects.filter(app_label='complaints', model__in=MODELS).update(app_label='reports')


def content_types_return(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    ContentType.objects.filter(app_label='reports', model__in=MODELS).update(app_label='complaints')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('residents', '0001_initial'),
        ('complaints', '0009_weekly_summary_moves_to_reports'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WeeklySummarySnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week', models.CharField(help_text='ISO week, e.g. 2026-W47.', max_length=8, verbose_name='week')),
                        ('scope', models.CharField(help_text='The ids of the estates the report covers.', max_length=80, verbose_name='estates')),
                        ('ends_at', models.DateTimeField(verbose_name='week ends at')),
                        ('computed_at', models.DateTimeField(verbose_name='computed at')),
                        ('payload', models.JSONField(verbose_name='figures')),
                    ],
                    options={
                        'verbose_name': 'stored weekly summary',
                        'verbose_name_plural': 'stored weekly summaries',
                        'db_table': 'complaints_weeklysummarysnapshot',
                        'ordering': ['-week', 'scope'],
                        'constraints': [models.UniqueConstraint(fields=('week', 'scope'), name='weekly_snapshot_once'), models.CheckConstraint(condition=models.Q(('week__regex', '^[0-9]{4}-W[0-9]{2}$')), name='weekly_snapshot_week')],
                    },
                ),
                migrations.CreateModel(
                    name='WeeklyReportDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week', models.CharField(help_text='ISO week, e.g. 2026-W47.', max_length=8, verbose_name='week')),
                        ('address', models.CharField(blank=True, max_length=254, verbose_name='address')),
                        ('language', models.CharField(blank=True, max_length=10, verbose_name='language')),
                        ('claimed_at', models.DateTimeField(verbose_name='claimed at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.CharField(blank=True, max_length=300, verbose_name='last error')),
                        ('manager', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='weekly_report_deliveries', to=settings.AUTH_USER_MODEL, verbose_name='manager')),
                    ],
                    options={
                        'verbose_name': 'weekly summary email',
                        'verbose_name_plural': 'weekly summary emails',
                        'db_table': 'complaints_weeklyreportdelivery',
                        'ordering': ['-week', 'manager_id'],
                        'constraints': [models.UniqueConstraint(fields=('manager', 'week'), name='weekly_delivery_once'), models.CheckConstraint(condition=models.Q(('week__regex', '^[0-9]{4}-W[0-9]{2}$')), name='weekly_delivery_week')],
                    },
                ),
                migrations.CreateModel(
                    name='WeeklySummaryChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('since', models.DateTimeField(verbose_name='history changed from')),
                        ('recorded_at', models.DateTimeField(verbose_name='recorded at')),
                        ('estate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='residents.estate', verbose_name='estate')),
                    ],
                    options={
                        'verbose_name': 'change to past weeks',
                        'verbose_name_plural': 'changes to past weeks',
                        'db_table': 'complaints_weeklysummarychange',
                        'ordering': ['-recorded_at'],
                        'indexes': [models.Index(fields=['recorded_at', 'since'], name='weekly_change_recorded')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
