"""Evidence through the API: checked by content and size, stored under generated names."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints import services
from complaints.models import ComplaintEvent, Evidence
from tests.complaints.api_helpers import (
    NOT_FOUND,
    PDF_BYTES,
    WEDNESDAY_10AM,
    client_for,
    evidence_url,
    image_bytes,
    office_clock,
)
from tests.complaints.hostile_images import DECODER_CRASHES, blank_png
from tests.factories import log_complaint

pytestmark = pytest.mark.django_db

NOT_A_PHOTO_OR_PDF = "The file “{name}” is not a photo (JPEG, PNG, GIF, WebP) or a PDF document."


@pytest.fixture(autouse=True)
def clock():
    with office_clock() as traveller:
        yield traveller


@pytest.fixture
def reference(frontdesk, estate):
    return log_complaint(frontdesk, estate=estate).reference


@pytest.fixture
def desk(frontdesk):
    return client_for(frontdesk)


def upload(client, reference: str, name: str, content: bytes, content_type: str, **extra):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(evidence_url(reference), {"file": file, **extra}, format="multipart")


def stored_files() -> set[str]:
    root = settings.MEDIA_ROOT / "evidence"
    return {str(path) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def evidence_events(reference: str) -> list[ComplaintEvent]:
    return list(
        ComplaintEvent.objects.filter(complaint__reference=reference, kind="evidence_added")
    )


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_png_is_stored_listed_and_served_inline(desk, reference):
    content = image_bytes("PNG")

    response = upload(desk, reference, "电梯.png", content, "image/png")

    assert response.status_code == 201, response.content
    body = response.json()
    evidence = Evidence.objects.get()
    assert {"id", "name", "url"} <= set(body)
    assert body["id"] == evidence.id
    assert body["name"] == "电梯.png"
    assert body["url"] == f"/api/v1/complaints/{reference}/evidence/{evidence.id}/"
    assert (evidence.content_type, evidence.is_image, evidence.size) == (
        "image/png",
        True,
        len(content),
    )

    listed = desk.get(evidence_url(reference))
    assert listed.status_code == 200
    assert [(row["id"], row["name"], row["url"]) for row in listed.json()] == [
        (body["id"], body["name"], body["url"])
    ]

    served = desk.get(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert streamed(served) == content


def test_a_jpeg_is_served_inline_as_jpeg(desk, reference):
    content = image_bytes("JPEG")

    body = upload(desk, reference, "crack.jpg", content, "image/jpeg").json()
    served = desk.get(body["url"])

    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline")
    assert streamed(served) == content


def test_a_jpeg_whose_data_breaks_off_is_refused_not_served_as_a_photo(desk, reference):
    buffer = io.BytesIO()
    Image.effect_noise((64, 48), 40).convert("RGB").save(buffer, format="JPEG")
    # Its headers are whole, so the format checks pass; the picture data stops at 60 %.
    cut = buffer.getvalue()[: len(buffer.getvalue()) * 6 // 10]

    response = upload(desk, reference, "cut.jpg", cut, "image/jpeg")

    assert response.status_code == 400
    assert response.json() == {"file": ["The image “cut.jpg” is damaged or not what it claims."]}
    assert not Evidence.objects.exists()


def test_a_pdf_is_served_as_an_attachment(desk, reference):
    response = upload(desk, reference, "维修报价.pdf", PDF_BYTES, "application/pdf")

    assert response.status_code == 201, response.content
    served = desk.get(response.json()["url"])
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")
    assert streamed(served) == PDF_BYTES
    assert Evidence.objects.get().is_image is False


def test_the_content_decides_not_the_declared_type(desk, reference):
    content = image_bytes("PNG")

    response = upload(desk, reference, "photo.gif", content, "application/octet-stream")

    assert response.status_code == 201
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/png"
    assert evidence.file.name.endswith(".png")
    assert desk.get(response.json()["url"])["Content-Type"] == "image/png"


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("plan.svg", SVG, "image/svg+xml", NOT_A_PHOTO_OR_PDF),
        ("photo.jpg", HTML, "image/jpeg", NOT_A_PHOTO_OR_PDF),
        ("notes.txt", "楼上漏水三天了".encode(), "text/plain", NOT_A_PHOTO_OR_PDF),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", None),
        ("empty.png", b"", "image/png", None),
    ],
)
def test_what_is_not_a_photo_or_pdf_is_refused_and_not_stored(
    desk, reference, name, content, content_type, message
):
    files_before = stored_files()

    response = upload(desk, reference, name, content, content_type)

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["file"]
    assert errors["file"] and all(isinstance(text, str) and text for text in errors["file"])
    if message:
        assert errors["file"] == [message.format(name=name)]
    assert name in errors["file"][0]  # the refusal names the file
    assert not Evidence.objects.exists()
    assert stored_files() == files_before
    assert evidence_events(reference) == []


def test_a_damaged_image_is_named_as_such(desk, reference):
    response = upload(desk, reference, "photo.png", image_bytes("PNG")[:40], "image/png")

    assert response.status_code == 400
    assert response.json() == {"file": ["The image “photo.png” is damaged or not what it claims."]}


# Pillow warns of what it takes for a decompression bomb before the check refuses it.
BOMB_WARNING = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


@BOMB_WARNING
@pytest.mark.parametrize(("name", "content", "content_type", "refusal"), DECODER_CRASHES)
def test_whatever_the_decoder_raises_the_file_is_refused_by_name(
    desk, reference, name, content, content_type, refusal
):
    files_before = stored_files()

    response = upload(desk, reference, name, content, content_type)

    assert (response.status_code, response.json()) == (400, {"file": [refusal.format(name=name)]})
    assert not Evidence.objects.exists()
    assert stored_files() == files_before
    assert evidence_events(reference) == []


@BOMB_WARNING
def test_a_picture_of_more_megapixels_than_the_limit_is_refused_by_its_size(desk, reference):
    # A real, complete image: only its size is wrong (a browser would decode 90 million pixels).
    wide = blank_png(9500, 9500)

    response = upload(desk, reference, "wide.png", wide, "image/png")

    assert response.json() == {
        "file": ["The image “wide.png” is too large: at most 89 megapixels."]
    }
    assert not Evidence.objects.exists()


def test_a_file_over_ten_megabytes_is_refused(desk, reference):
    content = image_bytes("PNG") + b"\x00" * (10 * 1024 * 1024)
    files_before = stored_files()

    response = upload(desk, reference, "huge.png", content, "image/png")

    assert response.status_code == 400
    assert response.json() == {"file": ["The file “huge.png” is larger than 10 MB."]}
    assert not Evidence.objects.exists()
    assert stored_files() == files_before


def test_the_size_limit_is_a_setting(desk, reference, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    content = image_bytes("PNG") + b"\x00" * (1024 * 1024)

    response = upload(desk, reference, "big.png", content, "image/png")

    assert response.status_code == 400
    assert response.json() == {"file": ["The file “big.png” is larger than 1 MB."]}
    assert not Evidence.objects.exists()


def test_a_missing_file_is_400(desk, reference):
    response = desk.post(evidence_url(reference), {}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}


def test_fields_beside_the_file_are_refused(desk, reference):
    response = upload(
        desk, reference, "photo.png", image_bytes(), "image/png", original_name="x.exe"
    )

    assert response.status_code == 400
    assert response.json() == {"original_name": ["This field cannot be set here."]}
    assert not Evidence.objects.exists()


def test_a_path_in_the_name_is_dropped_and_the_file_stored_under_a_generated_name(desk, reference):
    response = upload(desk, reference, "../../etc/passwd.png", image_bytes(), "image/png")

    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    assert ".." not in evidence.file.name
    assert "passwd" not in evidence.file.name
    assert evidence.file.name.startswith("evidence/2026/11/")
    assert evidence.file.name.endswith(".png")
    assert response.json()["name"] == "passwd.png"
    assert "/" not in evidence.original_name


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\win.ini.png", "win.ini.png"),
        ('evil<img src=x onerror="alert(1)">.png', "evil_img src=x onerror=_alert(1)_.png"),
        ("\x00\x1bnull.png", "_null.png"),
        (" . ", "file"),
    ],
)
def test_the_service_sanitises_the_displayed_name_whatever_reaches_it(
    frontdesk, reference, given, shown
):
    file = SimpleUploadedFile("x.png", image_bytes(), content_type="image/png")
    file.name = given

    evidence = services.evidence_add(reference=reference, actor=frontdesk, upload=file)

    assert evidence.original_name == shown
    assert ".." not in evidence.file.name
    assert evidence.file.name.startswith("evidence/")
    assert shown not in evidence.file.name


def test_each_upload_writes_an_evidence_added_event(desk, reference):
    first = upload(desk, reference, "a.png", image_bytes(), "image/png").json()
    second = upload(desk, reference, "b.pdf", PDF_BYTES, "application/pdf").json()

    events = desk.get(f"/api/v1/complaints/{reference}/events/").json()

    added = [e for e in events if e["kind"] == "evidence_added"]
    assert [(e["actor"], e["data"]["evidence"], e["data"]["name"]) for e in added] == [
        ("frontdesk", first["id"], "a.png"),
        ("frontdesk", second["id"], "b.pdf"),
    ]
    assert added[1]["data"]["size"] == len(PDF_BYTES)


def test_the_handler_may_add_evidence_to_what_he_sees(frontdesk, handler, reference):
    services.complaint_act(reference=reference, actor=frontdesk, action="accept")
    services.complaint_act(
        reference=reference,
        actor=frontdesk,
        action="plan_resolution",
        data={
            "validity": "valid",
            "department": "ENG",
            "plan": "维修",
            "callback_due_at": WEDNESDAY_10AM + dt.timedelta(hours=6),
        },
    )

    response = upload(
        client_for(handler), reference, "after.jpg", image_bytes("JPEG"), "image/jpeg"
    )

    assert response.status_code == 201


def test_another_estates_user_gets_404_for_the_file_and_cannot_upload(desk, frontdesk_b, reference):
    url = upload(desk, reference, "a.png", image_bytes(), "image/png").json()["url"]
    outsider = client_for(frontdesk_b)

    file_response = outsider.get(url)
    list_response = outsider.get(evidence_url(reference))
    upload_response = upload(outsider, reference, "b.png", image_bytes(), "image/png")

    for response in (file_response, list_response, upload_response):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert Evidence.objects.count() == 1


def test_a_file_of_another_complaint_is_404_under_this_reference(
    desk, frontdesk, estate, reference
):
    other = log_complaint(frontdesk, estate=estate).reference
    evidence_id = upload(desk, other, "a.png", image_bytes(), "image/png").json()["id"]

    response = desk.get(f"/api/v1/complaints/{reference}/evidence/{evidence_id}/")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
