"""Shared by the page tests: a signed-in browser session, a fixed office clock, files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.complaints.helpers import SHANGHAI

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # a Tuesday, inside opening hours


@pytest.fixture
def office_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(user, language: str = "en") -> Client:
    """A browser session of ``user``, who chose ``language`` in the desk."""
    user.staff_member.language = language
    user.staff_member.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
