"""The WSGI application (gunicorn ``config.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a server started without its settings refuses to start
# (no secret key) instead of serving a debug page. ``manage.py`` and ``make run`` are local.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
