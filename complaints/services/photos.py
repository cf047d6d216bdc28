"""An action sent with photos (a resolution with its before and after): both, or neither."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from complaints.models import Complaint, ComplaintEvent
from complaints.selectors import complaint_get
from complaints.services.actions import complaint_act
from complaints.services.evidence import (
    evidence_check,
    evidence_discard,
    evidence_record,
    evidence_store,
)


def complaint_act_with_photos(
    *,
    reference: str,
    actor: User,
    action: str,
    data: dict | None = None,
    version: int | None = None,
    uploads: list[UploadedFile],
) -> Complaint:
    """Take ``action`` and attach ``uploads`` to its event, in one transaction.

    Every file is checked before anything is written: one bad file refuses the lot with a
    ValidationError naming it. The files are written to storage before the transaction and
    removed again if it does not commit.
    """
    complaint_get(user=actor, reference=reference)  # 404 before any work for the invisible
    checked = [evidence_check(upload) for upload in uploads]
    saved = evidence_store(checked)
    try:
        with transaction.atomic():
            complaint = complaint_act(
                reference=reference, actor=actor, action=action, data=data, version=version
            )
            # The complaint stays locked until this transaction ends: its last event of this
            # kind by this actor is the one just written.
            event = ComplaintEvent.objects.filter(
                complaint=complaint, kind=action, actor=actor
            ).latest("at", "id")
            for file, saved_name in zip(checked, saved, strict=True):
                evidence_record(
                    complaint=complaint,
                    actor=actor,
                    checked=file,
                    saved_name=saved_name,
                    event=event,
                )
    except BaseException:
        evidence_discard(saved)
        raise
    return complaint
