"""Evidence files: checked by their content, kept under generated names."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from complaints.models import Complaint, ComplaintEvent, Evidence
from complaints.selectors import complaint_get
from complaints.services.timeline import event_record

# Recognised by their first bytes, never by the name or the browser's word for them.
SIGNATURES = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg", True),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png", True),
    (b"GIF87a", "gif", "image/gif", True),
    (b"GIF89a", "gif", "image/gif", True),
    (b"%PDF-", "pdf", "application/pdf", False),
)
PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
# What an evidence file can be served as: the signatures' types and WebP's.
EVIDENCE_CONTENT_TYPES = frozenset(
    {content_type for _magic, _ext, content_type, _image in SIGNATURES} | {"image/webp"}
)
# Larger pictures are refused rather than handed to a browser to decode: Pillow's own limit,
# past which it takes an image for a decompression bomb.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed ``evidence_check``: what it is, and the name to show for it."""

    upload: UploadedFile
    name: str
    ext: str
    content_type: str
    is_image: bool
    size: int


def _sniff(head: bytes) -> tuple[str, str, bool] | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp", True
    for magic, ext, content_type, is_image in SIGNATURES:
        if head.startswith(magic):
            return ext, content_type, is_image
    return None


def safe_display_name(name: str | None) -> str:
    """The uploaded name, for display only: no path, no control characters, bounded."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = _UNSAFE.sub("_", name).strip(" .") or "file"
    return name[:200]


def _size(limit: int) -> str:
    """10485760 → "10 MB", 512000 → "500 KB": the limit as people say it."""
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    return f"{max(1, limit // 1024)} KB"


def _refused(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _image_refusal(upload: UploadedFile, ext: str, name: str) -> str | None:
    """Why Pillow will not take the image, or None when it reads as the format it claims.

    A decoder meets hostile bytes here, and what it raises for them is not a short list
    (OSError, SyntaxError, ValueError, IndexError, struct errors, DecompressionBombError…):
    whatever it raises, the file is refused and the request goes on."""
    damaged = _("The image “%(name)s” is damaged or not what it claims.") % {"name": name}
    too_large = _("The image “%(name)s” is too large: at most %(megapixels)d megapixels.") % {
        "name": name,
        "megapixels": MAX_PIXELS // 1_000_000,
    }
    try:
        with Image.open(upload) as image:
            if image.format != PIL_FORMATS[ext]:
                return damaged
            width, height = image.size
            if width * height > MAX_PIXELS:
                return too_large
            image.verify()
        if ext == "jpg":
            # verify() reads a JPEG's headers only: decode its data too, at an eighth of its
            # size (the whole stream is still read), so a broken one is never served as a photo.
            upload.seek(0)
            with Image.open(upload) as image:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except Image.DecompressionBombError:
        return too_large
    except Exception:  # noqa: BLE001 - any refusal by the decoder is a refused file
        return damaged
    finally:
        upload.seek(0)
    return None


def evidence_check(upload: UploadedFile) -> CheckedFile:
    """The upload if it is a photo or a PDF within the size limit; else a ValidationError
    under ``file`` whose message names the file."""
    name = safe_display_name(upload.name)
    size = upload.size or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        raise _refused(
            _("The file “%(name)s” is larger than %(limit)s.")
            % {"name": name, "limit": _size(settings.EVIDENCE_MAX_BYTES)}
        )
    if size == 0:
        raise _refused(_("The file “%(name)s” is empty.") % {"name": name})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = _sniff(head)
    if sniffed is None:
        raise _refused(
            _("The file “%(name)s” is not a photo (JPEG, PNG, GIF, WebP) or a PDF document.")
            % {"name": name}
        )
    ext, content_type, is_image = sniffed
    if is_image and (refusal := _image_refusal(upload, ext, name)):
        raise _refused(refusal)
    return CheckedFile(
        upload=upload, name=name, ext=ext, content_type=content_type, is_image=is_image, size=size
    )


def evidence_store(files: Sequence[CheckedFile]) -> list[str]:
    """Write checked files under generated names, before any transaction: no disk work while
    a complaint is locked. The caller removes them with ``evidence_discard`` if its
    transaction does not commit, so no orphan stays behind."""
    saved: list[str] = []
    try:
        for checked in files:
            saved.append(
                default_storage.save(
                    f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{checked.ext}",
                    checked.upload,
                )
            )
    except BaseException:
        evidence_discard(saved)
        raise
    return saved


def evidence_discard(saved_names: Sequence[str]) -> None:
    for saved_name in saved_names:
        default_storage.delete(saved_name)


def evidence_record(
    *,
    complaint: Complaint,
    actor: User,
    checked: CheckedFile,
    saved_name: str,
    event: ComplaintEvent | None = None,
) -> Evidence:
    """The evidence row and its timeline event, inside the caller's transaction. ``event``:
    the action the file was sent with."""
    evidence = Evidence.objects.create(
        complaint=complaint,
        file=saved_name,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        is_image=checked.is_image,
        uploaded_by=actor,
        event=event,
    )
    data = {"evidence": evidence.pk, "name": checked.name, "size": evidence.size}
    if event is not None:
        data["sent_with"] = event.kind
    event_record(
        complaint=complaint, actor=actor, kind="evidence_added", at=timezone.now(), data=data
    )
    return evidence


def evidence_add(*, reference: str, actor: User, upload: UploadedFile) -> Evidence:
    """Check the file, store it under a generated name, then record it on the timeline."""
    complaint_get(user=actor, reference=reference)  # 404 before any work for the invisible
    checked = evidence_check(upload)
    saved = evidence_store([checked])
    try:
        with transaction.atomic():
            complaint = complaint_get(user=actor, reference=reference, for_update=True)
            return evidence_record(
                complaint=complaint, actor=actor, checked=checked, saved_name=saved[0]
            )
    except BaseException:
        evidence_discard(saved)
        raise
