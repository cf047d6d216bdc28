"""The resident's link to their complaint: ``/s/<token>/``, where the token is signed with the
site's secret and names one complaint. It opens the status page without a login until 90 days
after the complaint was closed (again, if it is reopened)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone

from complaints.models import Complaint

SALT = "complaints.status-link"
# How long after closing the link still opens the page.
VALID_AFTER_CLOSING = dt.timedelta(days=90)


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def status_token(complaint: Complaint) -> str:
    """The same token for the same complaint, every time: no timestamp, no expiry of its own
    (the complaint's closing sets that)."""
    return _signer().sign_object(complaint.pk)


def status_path(complaint: Complaint) -> str:
    return f"/s/{status_token(complaint)}/"


def status_url(complaint: Complaint) -> str:
    return settings.DESK_BASE_URL + status_path(complaint)


def rating_url(complaint: Complaint) -> str:
    return status_url(complaint) + "rate/"


def complaint_for_token(token: str, *, now: dt.datetime | None = None) -> Complaint | None:
    """The complaint a token names, while its link is valid; None for an unknown, tampered or
    expired token, all alike."""
    try:
        pk = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError):
        # A forged or mangled token, or one signed in another format: all alike.
        return None
    if type(pk) is not int:
        return None
    complaint = (
        Complaint.objects.select_related("estate", "category", "department", "resident", "unit")
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        return None
    now = now or timezone.now()
    if complaint.closed_at is not None and now - complaint.closed_at > VALID_AFTER_CLOSING:
        return None
    return complaint
