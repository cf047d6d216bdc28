"""Test settings: fast hashing, in-memory email, uploads under a temporary folder."""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="desk-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="desk-test-static-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Text messages kept in memory (notifications.sms.local.outbox), as email is.
DESK_SMS_BACKEND = "locmem"
