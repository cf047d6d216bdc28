"""Hostile uploads: refused unless the content is a photo or a PDF, and never rendered inline
unless it is a checked image — whichever door they come through. Intake with a refused file
writes nothing at all.

The API door's refusals (SVG, HTML as JPEG, text, a bare PNG signature, empty, damaged, over
10 MB, fields beside the file) and its path-traversal names are in
tests/complaints/test_evidence.py; this file adds the page doors (the complaint page and the
intake form), polyglots, and the headers every served file carries.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Complaint, ComplaintEvent, Evidence, ReferenceCounter
from notifications.models import Notification
from tests.complaints.api_helpers import PDF_BYTES, client_for, image_bytes
from tests.complaints.hostile_images import DECODER_CRASHES
from tests.factories import log_complaint
from tests.security.markup import BREAKOUT, SCRIPT, live_markup

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
JPEG_MAGIC_THEN_HTML = b"\xff\xd8\xff\xe0" + HTML
GIF_POLYGLOT = b"GIF89a/*\x00\x00*/=alert(1)//" + HTML
WINDOWS_EXE = b"MZ\x90\x00\x03" + b"\x00" * 64

REFUSED = [
    ("plan.svg", SVG, "image/svg+xml"),
    ("photo.jpg", HTML, "image/jpeg"),
    ("photo.jpg", JPEG_MAGIC_THEN_HTML, "image/jpeg"),
    ("photo.gif", GIF_POLYGLOT, "image/gif"),
    ("setup.pdf", WINDOWS_EXE, "application/pdf"),
    ("empty.png", b"", "image/png"),
]


def _stored_files() -> set[str]:
    root = settings.MEDIA_ROOT / "evidence"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def reference(frontdesk, estate) -> str:
    return log_complaint(frontdesk, estate=estate).reference


@pytest.mark.parametrize(("name", "content", "content_type"), REFUSED)
def test_the_complaint_page_refuses_it_and_says_so_as_text(
    client, frontdesk, reference, name, content, content_type
):
    client.force_login(frontdesk)
    files = _stored_files()
    hostile_name = f"{SCRIPT}{BREAKOUT}{name}"

    response = client.post(
        f"/complaints/{reference}/evidence/",
        {"evidence": SimpleUploadedFile(hostile_name, content, content_type=content_type)},
    )

    assert response.status_code == 400
    page = response.content.decode()
    # The page again (in the desk's Chinese), the refusal naming the file, as text.
    assert page.count("未上传：") == 1 and name in page.split("未上传：")[1]
    assert live_markup(page) == []
    assert SCRIPT not in page
    assert not Evidence.objects.exists()
    assert _stored_files() == files
    assert not ComplaintEvent.objects.filter(kind="evidence_added").exists()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    REFUSED + [crash[:3] for crash in DECODER_CRASHES],
)
def test_intake_with_a_hostile_file_writes_nothing_and_names_the_file(
    client, frontdesk, supervisor, estate, name, content, content_type
):
    client.force_login(frontdesk)
    files = _stored_files()
    hostile_name = f"{SCRIPT}{BREAKOUT}{name}"

    response = client.post(
        "/complaints/new/",
        {
            "estate": estate.code,
            "channel": "phone",
            "category": "FAC-LIFT",
            "severity": "urgent",
            "summary": "电梯停运",
            "account": "电梯停运",
            "contact_name": "王芳",
            "contact_phone": "13812345678",
            "desired_outcome": "repair",
            "evidence": [
                SimpleUploadedFile("photo.png", image_bytes(), content_type="image/png"),
                SimpleUploadedFile(hostile_name, content, content_type=content_type),
            ],
        },
    )

    assert response.status_code == 400
    [refusal] = response.context["form"].errors["evidence"]
    assert name in refusal
    page = response.content.decode()
    assert live_markup(page) == [] and SCRIPT not in page
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists() and not Evidence.objects.exists()
    assert not Notification.objects.exists() and not ReferenceCounter.objects.exists()
    assert _stored_files() == files


def test_an_oversized_file_is_refused_at_the_page_door_too(client, frontdesk, reference, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(frontdesk)

    client.post(
        f"/complaints/{reference}/evidence/",
        {"evidence": SimpleUploadedFile("big.png", image_bytes(size=(400, 400)), "image/png")},
    )

    assert not Evidence.objects.exists()


def test_a_path_in_the_name_never_reaches_the_disk_from_the_page(client, frontdesk, reference):
    client.force_login(frontdesk)

    client.post(
        f"/complaints/{reference}/evidence/",
        {"evidence": SimpleUploadedFile("../../../etc/cron.d/x.png", image_bytes(), "image/png")},
    )

    evidence = Evidence.objects.get()
    assert evidence.original_name == "x.png"
    assert evidence.file.name.startswith("evidence/") and ".." not in evidence.file.name
    assert evidence.file.path.startswith(str(settings.MEDIA_ROOT))


def _served(client, reference: str, evidence_id: int):
    response = client.get(f"/complaints/{reference}/evidence/{evidence_id}/")
    assert response.status_code == 200
    return response


def test_a_png_with_html_appended_is_only_ever_an_image(client, frontdesk, reference):
    polyglot = image_bytes("PNG") + HTML
    client.force_login(frontdesk)
    api = client_for(frontdesk)

    created = api.post(
        f"/api/v1/complaints/{reference}/evidence/",
        {"file": SimpleUploadedFile("page.html", polyglot, content_type="text/html")},
        format="multipart",
    )

    # A valid image with trailing bytes passes the check; it is stored and served as a PNG
    # under a generated .png name, with the browser told not to sniff and not to run anything.
    assert created.status_code == 201, created.content
    evidence = Evidence.objects.get()
    assert (evidence.content_type, evidence.is_image) == ("image/png", True)
    assert evidence.file.name.endswith(".png")
    served = _served(client, reference, evidence.pk)
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["Content-Disposition"].startswith("inline")


def test_a_pdf_with_html_inside_is_downloaded_never_shown(client, frontdesk, reference):
    client.force_login(frontdesk)
    client_for(frontdesk).post(
        f"/api/v1/complaints/{reference}/evidence/",
        {"file": SimpleUploadedFile("x.html", PDF_BYTES + HTML, "text/html")},
        format="multipart",
    )

    served = _served(client, reference, Evidence.objects.get().pk)

    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "private, no-store"


def test_a_name_with_line_breaks_cannot_add_a_header(client, frontdesk, reference):
    client.force_login(frontdesk)
    client_for(frontdesk).post(
        f"/api/v1/complaints/{reference}/evidence/",
        {
            "file": SimpleUploadedFile(
                "a.pdf\r\nSet-Cookie: sessionid=evil\r\n.pdf", PDF_BYTES, "application/pdf"
            )
        },
        format="multipart",
    )

    served = _served(client, reference, Evidence.objects.get().pk)

    assert "\r" not in served["Content-Disposition"] and "\n" not in served["Content-Disposition"]
    assert "sessionid" not in served.cookies
