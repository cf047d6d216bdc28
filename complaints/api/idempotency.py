"""The ``Idempotency-Key`` header of ``POST /api/v1/complaints/`` and ``POST
/api/v1/incidents/``: a client that retries (after a timeout, a dropped connection) gets the
first answer again instead of a second complaint or incident. Keys are the user's own, and
each endpoint's apart: another user's identical key is another submission."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.models import Incident, SubmissionDoor
from complaints.services.submissions import Once, Submitted

HEADER = "Idempotency-Key"
# Printable ASCII without spaces, as the header's draft standard suggests for keys.
KEY_FORMAT = re.compile(r"[!-~]{1,255}")


def _parameter(writes: str) -> OpenApiParameter:
    return OpenApiParameter(
        HEADER,
        str,
        OpenApiParameter.HEADER,
        required=False,
        pattern=KEY_FORMAT.pattern,
        description="A key of the client's choosing (1–255 printable ASCII characters, e.g. a "
        "UUID), to retry safely: the same key with the same body, by the same user within a "
        "day, answers with the first answer (the same status and body, with "
        f"`Idempotent-Replayed: true`) and {writes}; the same key with another body is "
        "refused with 422.",
    )


PARAMETER = _parameter("logs nothing")
INCIDENT_PARAMETER = _parameter("opens nothing")


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def idempotency_once(request: Request, *, door: str = SubmissionDoor.API) -> Once | None:
    """The request's key at ``door`` and its body's digest, or None without the header; a
    malformed key or a body too deeply nested to digest is a 400."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_FORMAT.fullmatch(key):
        raise serializers.ValidationError(
            {HEADER: [_("Give 1 to 255 printable ASCII characters, without spaces.")]}
        )
    return Once(door=door, key=key, fingerprint=_fingerprint(request.data))


def _fingerprint(data: Any) -> str:
    """The body's digest: its parsed fields, in any order, as JSON."""
    if isinstance(data, QueryDict):
        data = dict(data.lists())
    try:
        text = json.dumps(
            data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
    except (RecursionError, TypeError, ValueError) as exc:
        raise serializers.ValidationError(
            {"non_field_errors": [_("The body cannot be read as fields and values.")]}
        ) from exc
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def replayed(earlier: Submitted) -> Response:
    """The first answer again, or 422 when the key came with another body."""
    if not earlier.same_body:
        if isinstance(earlier.record, Incident):
            raise KeyReused(
                _(
                    "This Idempotency-Key was used with another body. Send the same body to "
                    "get the first answer again, or use a new key for a new incident."
                )
            )
        raise KeyReused(
            _(
                "This Idempotency-Key was used with another body. Send the same body to "
                "get the first answer again, or use a new key for a new complaint."
            )
        )
    return Response(
        earlier.answer, status=status.HTTP_201_CREATED, headers={"Idempotent-Replayed": "true"}
    )
