"""The Celery application, named ``config``: ``celery -A config worker``."""

import os

from celery import Celery

# Production unless told otherwise, like the web (``config.wsgi``); ``make run`` says local.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
