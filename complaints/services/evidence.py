"""Evidence files: checked by their content, kept under generated names."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

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
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


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


def _check(upload: UploadedFile) -> tuple[str, str, bool]:
    assert upload.size is not None  # a received upload knows its size
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)s.")
                % {"limit": _size(settings.EVIDENCE_MAX_BYTES)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = _sniff(head)
    if sniffed is None:
        raise ValidationError(
            {"file": _("Only photos (JPEG, PNG, GIF, WebP) and PDF documents are accepted.")}
        )
    ext, content_type, is_image = sniffed
    if is_image:
        try:
            with Image.open(upload) as image:
                if image.format != PIL_FORMATS[ext]:
                    raise ValidationError(
                        {"file": _("The image is damaged or not what it claims.")}
                    )
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ValidationError(
                {"file": _("The image is damaged or not what it claims.")}
            ) from exc
        finally:
            upload.seek(0)
    return ext, content_type, is_image


def evidence_check(upload: UploadedFile) -> tuple[str, str, bool]:
    """``_check`` with the file named in the refusal: for a form that sends several at once."""
    try:
        return _check(upload)
    except ValidationError as exc:
        raise ValidationError(
            {
                "file": _("“%(name)s”: %(reason)s")
                % {"name": safe_display_name(upload.name), "reason": " ".join(exc.messages)}
            }
        ) from exc


def evidence_store(upload: UploadedFile, ext: str) -> str:
    """Write the checked file under a generated name; the caller deletes it if it rolls back."""
    return default_storage.save(f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}", upload)


def evidence_record(
    *,
    complaint: Complaint,
    actor: User,
    upload: UploadedFile,
    saved_name: str,
    checked: tuple[str, str, bool],
    event: ComplaintEvent | None = None,
) -> Evidence:
    """The row and its ``evidence_added`` entry; inside the transaction that locked the
    complaint. ``event``: the action the file was sent with."""
    _ext, content_type, is_image = checked
    assert upload.size is not None  # as ``_check`` found
    original = safe_display_name(upload.name)
    evidence = Evidence.objects.create(
        complaint=complaint,
        file=saved_name,
        original_name=original,
        content_type=content_type,
        size=upload.size,
        is_image=is_image,
        uploaded_by=actor,
        event=event,
    )
    data = {"evidence": evidence.pk, "name": original, "size": evidence.size}
    if event is not None:
        data["sent_with"] = event.kind
    event_record(
        complaint=complaint, actor=actor, kind="evidence_added", at=timezone.now(), data=data
    )
    return evidence


def evidence_add(*, reference: str, actor: User, upload: UploadedFile) -> Evidence:
    """Check the file, store it under a generated name, then record it on the timeline.

    The file is written before the transaction (no disk work while the complaint is locked)
    and removed again if the transaction does not commit, so no orphan stays behind.
    """
    complaint_get(user=actor, reference=reference)  # 404 before any work for the invisible
    checked = _check(upload)
    saved_name = evidence_store(upload, checked[0])
    try:
        with transaction.atomic():
            complaint = complaint_get(user=actor, reference=reference, for_update=True)
            return evidence_record(
                complaint=complaint,
                actor=actor,
                upload=upload,
                saved_name=saved_name,
                checked=checked,
            )
    except BaseException:
        default_storage.delete(saved_name)
        raise
