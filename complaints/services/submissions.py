"""A complaint is logged, and an incident opened, once however often it is sent: a double
click, a second tab, a client's retry. The intake and incident forms carry a signed one-time
token and API clients send an ``Idempotency-Key``; either is written with the complaint logged
or the incident opened, in the same transaction, and a second sending answers with that."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import ActionRefused
from complaints.models import Complaint, Incident, SubmissionDoor, SubmissionKey
from complaints.services.evidence import (
    CheckedFile,
    evidence_discard,
    evidence_record,
    evidence_store,
)
from complaints.services.incidents import IncidentInput, incident_open, incident_open_from
from complaints.services.intake import ComplaintInput, complaint_create

# How long a key is remembered, and how long an intake form's token is accepted: a token is
# refused before its key can be forgotten, so a form sent again late is refused, not logged.
KEY_LIFETIME = dt.timedelta(days=1)
# Each form's tokens are signed apart: a token of one form is refused by the other.
TOKEN_SALTS: dict[str, str] = {
    SubmissionDoor.FORM: "complaints.intake-token",
    SubmissionDoor.INCIDENT_FORM: "complaints.incident-token",
}

Written = TypeVar("Written", Complaint, Incident)


@dataclass(frozen=True)
class Once:
    """What makes a submission the same one: the user's key at one door (``SubmissionDoor``)
    and, for the API, a digest of the body it came with."""

    door: str
    key: str
    fingerprint: str = ""


@dataclass(frozen=True)
class Submitted(Generic[Written]):
    """What a submission wrote (a complaint, an incident), and the answer first given for it
    (the API's).

    ``replayed``: an earlier submission with the same key wrote it, nothing was written now;
    ``same_body``: that submission came with the same body."""

    record: Written
    answer: Any = None
    replayed: bool = False
    same_body: bool = True


def _signer(user: User | AnonymousUser, door: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{TOKEN_SALTS[door]}:{user.pk}")


def form_token_issue(*, user: User | AnonymousUser, door: str = SubmissionDoor.FORM) -> str:
    """A fresh one-time token for a form at ``door`` shown to ``user``: a random key, signed."""
    return _signer(user, door).sign(secrets.token_urlsafe(18))


def form_token_read(
    *, user: User | AnonymousUser, token: str, door: str = SubmissionDoor.FORM
) -> str:
    """The key inside a token issued to ``user`` for ``door`` within ``KEY_LIFETIME``; else a
    ValidationError (another user's or form's token, an altered one, or one too old)."""
    try:
        return _signer(user, door).unsign(token, max_age=KEY_LIFETIME)
    except signing.BadSignature as exc:  # SignatureExpired is one too
        raise ValidationError(
            _("This form is over a day old or was altered: check it and save it again.")
        ) from exc


Target = Literal["complaint", "incident"]


def _find(*, user: User, once: Once, target: Target) -> Submitted | None:
    row = (
        SubmissionKey.objects.filter(user=user, door=once.door, key=once.key)
        .select_related(target)
        .first()
    )
    if row is None:
        return None
    return Submitted(
        record=getattr(row, target),
        answer=row.answer,
        replayed=True,
        same_body=row.fingerprint == once.fingerprint,
    )


def submission_find(*, user: User, once: Once) -> Submitted[Complaint] | None:
    """What an earlier submission of ``user`` with this key logged, if any."""
    return _find(user=user, once=once, target="complaint")


def incident_submission_find(*, user: User, once: Once) -> Submitted[Incident] | None:
    """The incident an earlier submission of ``user`` with this key opened, if any."""
    return _find(user=user, once=once, target="incident")


def _written_once(
    *,
    actor: User,
    once: Once | None,
    target: Target,
    write: Callable[[], Written],
    answer: Callable[[Written], Any] | None,
) -> Submitted[Written]:
    """``write`` and the key in one transaction, or what the key's first submission wrote
    (the caller has looked for that first, before anything costly).

    Two requests with one key at once: the second one's insert of the key waits for the
    first transaction and fails when it commits (or the second fails earlier, on a lock the
    first held, finding what the first wrote); either way the second writes nothing and
    answers with the first one's record."""
    try:
        with transaction.atomic():
            record = write()
            first_answer = answer(record) if answer is not None else None
            if once is not None:
                SubmissionKey.objects.create(
                    user=actor,
                    door=once.door,
                    key=once.key,
                    fingerprint=once.fingerprint,
                    answer=first_answer,
                    created_at=timezone.now(),
                    **{target: record},
                )
    except (IntegrityError, ValidationError, ActionRefused):
        if once is not None and (earlier := _find(user=actor, once=once, target=target)):
            return earlier
        raise
    return Submitted(record=record, answer=first_answer)


def complaint_submit(
    *,
    actor: User,
    data: ComplaintInput,
    evidence: Sequence[CheckedFile] = (),
    once: Once | None = None,
    answer: Callable[[Complaint], Any] | None = None,
) -> Submitted[Complaint]:
    """Log a complaint with its evidence in one transaction, once per key.

    The files were checked before (``evidence_check``), so a refused file stops the intake
    before anything is written or numbered. ``answer`` computes the response to remember for
    the key."""
    if once is None and not evidence:
        # Nothing to write beside the complaint: its own transaction is the whole of it.
        complaint = complaint_create(actor=actor, data=data)
        return Submitted(record=complaint, answer=answer(complaint) if answer else None)
    if once is not None and (earlier := submission_find(user=actor, once=once)):
        return earlier
    saved = evidence_store(evidence)

    def write() -> Complaint:
        complaint = complaint_create(actor=actor, data=data)
        for checked, saved_name in zip(evidence, saved, strict=True):
            evidence_record(
                complaint=complaint, actor=actor, checked=checked, saved_name=saved_name
            )
        return complaint

    try:
        submitted = _written_once(
            actor=actor, once=once, target="complaint", write=write, answer=answer
        )
    except BaseException:
        evidence_discard(saved)
        raise
    if submitted.replayed:
        evidence_discard(saved)
    return submitted


def incident_submit(
    *,
    actor: User,
    data: IncidentInput,
    source: str = "",
    once: Once | None = None,
    answer: Callable[[Incident], Any] | None = None,
) -> Submitted[Incident]:
    """Open an incident (from the complaint ``source``, linking it, when one is named), once
    per key. ``answer`` computes the response to remember for the key. Raises what opening
    raises (``incident_open``, ``incident_open_from``)."""
    if once is not None and (earlier := incident_submission_find(user=actor, once=once)):
        return earlier

    def write() -> Incident:
        if source:
            return incident_open_from(actor=actor, data=data, reference=source)
        return incident_open(actor=actor, data=data)

    return _written_once(actor=actor, once=once, target="incident", write=write, answer=answer)


def submission_keys_forget(*, now: dt.datetime | None = None) -> int:
    """Forget keys older than ``KEY_LIFETIME``, in one statement; safe to run again."""
    before = (now or timezone.now()) - KEY_LIFETIME
    deleted, _by_model = SubmissionKey.objects.filter(created_at__lt=before).delete()
    return deleted
