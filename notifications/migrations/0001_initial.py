"""The outbox's model, taken over from the ``complaints`` app with its table.

The table was created by ``complaints`` 0001 and keeps its name, rows and indexes; only
Django's record of the model is created here. Its content type (and so the permissions
granted on it) is renamed to this app rather than created anew.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    ContentType.objects.filter(app_label='complaints', model='notification').update(
        app_label='notifications'
    )


def content_type_returns(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    ContentType.objects.filter(app_label='notifications', model='notification').update(
        app_label='complaints'
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('complaints', '0010_outbox_moves_to_notifications'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('audience', models.CharField(choices=[('staff', 'staff'), ('resident', 'resident')], max_length=10, verbose_name='audience')),
                        ('channel', models.CharField(choices=[('email', 'email'), ('sms', 'text message')], max_length=10, verbose_name='channel')),
                        ('address', models.CharField(blank=True, max_length=254, verbose_name='address')),
                        ('language', models.CharField(default='zh-hans', max_length=10, verbose_name='language')),
                        ('kind', models.CharField(max_length=30, verbose_name='kind')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='body')),
                        ('dedupe_key', models.CharField(max_length=120, unique=True, verbose_name='de-duplication key')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('not_before', models.DateTimeField(verbose_name='not before')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.CharField(blank=True, max_length=300, verbose_name='last error')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('complaint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='complaints.complaint', verbose_name='complaint')),
                        ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'complaints_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('sent_at__isnull', True)), fields=['not_before'], name='notification_unsent'), models.Index(condition=models.Q(('read_at__isnull', True)), fields=['recipient', '-created_at'], name='notification_unread')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_returns),
    ]
