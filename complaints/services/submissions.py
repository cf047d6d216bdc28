"""A complaint is logged once however often it is sent: a double click, a second tab, a
client's retry. The intake form carries a signed one-time token and API clients send an
``Idempotency-Key``; either is written with the complaint it logged, in the same transaction,
and a second sending answers with that complaint."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, SubmissionKey
from complaints.services.evidence import (
    CheckedFile,
    evidence_discard,
    evidence_record,
    evidence_store,
)
from complaints.services.intake import ComplaintInput, complaint_create

# How long a key is remembered, and how long an intake form's token is accepted: a token is
# refused before its key can be forgotten, so a form sent again late is refused, not logged.
KEY_LIFETIME = dt.timedelta(days=1)


@dataclass(frozen=True)
class Once:
    """What makes a submission the same one: the user's key at one door (``SubmissionDoor``)
    and, for the API, a digest of the body it came with."""

    door: str
    key: str
    fingerprint: str = ""


@dataclass(frozen=True)
class Submitted:
    """The complaint a submission logged, and the answer first given for it (the API's).

    ``replayed``: an earlier submission with the same key logged it, nothing was written now;
    ``same_body``: that submission came with the same body."""

    complaint: Complaint
    answer: Any = None
    replayed: bool = False
    same_body: bool = True


def _signer(user: User | AnonymousUser) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"complaints.intake-token:{user.pk}")


def intake_token_issue(*, user: User | AnonymousUser) -> str:
    """A fresh one-time token for an intake form shown to ``user``: a random key, signed."""
    return _signer(user).sign(secrets.token_urlsafe(18))


def intake_token_read(*, user: User | AnonymousUser, token: str) -> str:
    """The key inside a token issued to ``user`` within ``KEY_LIFETIME``; else a
    ValidationError (another user's token, an altered one, or one too old)."""
    try:
        return _signer(user).unsign(token, max_age=KEY_LIFETIME)
    except signing.BadSignature as exc:  # SignatureExpired is one too
        raise ValidationError(
            _("This form is over a day old or was altered: check it and save it again.")
        ) from exc


def submission_find(*, user: User, once: Once) -> Submitted | None:
    """What an earlier submission of ``user`` with this key logged, if any."""
    row = (
        SubmissionKey.objects.filter(user=user, door=once.door, key=once.key)
        .select_related("complaint")
        .first()
    )
    if row is None:
        return None
    return Submitted(
        complaint=row.complaint,
        answer=row.answer,
        replayed=True,
        same_body=row.fingerprint == once.fingerprint,
    )


def complaint_submit(
    *,
    actor: User,
    data: ComplaintInput,
    evidence: Sequence[CheckedFile] = (),
    once: Once | None = None,
    answer: Callable[[Complaint], Any] | None = None,
) -> Submitted:
    """Log a complaint with its evidence in one transaction, once per key.

    The files were checked before (``evidence_check``), so a refused file stops the intake
    before anything is written or numbered. ``answer`` computes the response to remember for
    the key. Two requests with one key at once: the second one's insert of the key waits for
    the first transaction, fails when it commits, and the second answers with its complaint,
    having written nothing."""
    if once is None and not evidence:
        # Nothing to write beside the complaint: its own transaction is the whole of it.
        complaint = complaint_create(actor=actor, data=data)
        return Submitted(complaint=complaint, answer=answer(complaint) if answer else None)
    if once is not None and (earlier := submission_find(user=actor, once=once)):
        return earlier
    saved = evidence_store(evidence)
    try:
        with transaction.atomic():
            complaint = complaint_create(actor=actor, data=data)
            for checked, saved_name in zip(evidence, saved, strict=True):
                evidence_record(
                    complaint=complaint, actor=actor, checked=checked, saved_name=saved_name
                )
            first_answer = answer(complaint) if answer is not None else None
            if once is not None:
                SubmissionKey.objects.create(
                    user=actor,
                    door=once.door,
                    key=once.key,
                    fingerprint=once.fingerprint,
                    complaint=complaint,
                    answer=first_answer,
                    created_at=timezone.now(),
                )
    except IntegrityError:
        evidence_discard(saved)
        if once is not None and (earlier := submission_find(user=actor, once=once)):
            return earlier
        raise
    except BaseException:
        evidence_discard(saved)
        raise
    return Submitted(complaint=complaint, answer=first_answer)


def submission_keys_forget(*, now: dt.datetime | None = None) -> int:
    """Forget keys older than ``KEY_LIFETIME``, in one statement; safe to run again."""
    before = (now or timezone.now()) - KEY_LIFETIME
    deleted, _by_model = SubmissionKey.objects.filter(created_at__lt=before).delete()
    return deleted
