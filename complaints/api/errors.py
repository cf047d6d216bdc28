"""One shape for every refusal: 400 {field: [messages]}, 403/404/409 {"detail": message}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    ParseError,
    UnsupportedMediaType,
)
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from complaints.errors import ActionRefused, UnknownAction


def validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def parse_error_message(detail: str) -> str:
    """DRF's parse error in the request's language: its JSON and multipart parsers build
    these two messages without gettext (the reason after the dash is the decoder's own)."""
    if detail.startswith("JSON parse error - "):
        reason = detail.removeprefix("JSON parse error - ").rstrip(".")
        return _("The body is not valid JSON (%(reason)s).") % {"reason": reason}
    if detail.startswith("Multipart form parse error - "):
        reason = detail.removeprefix("Multipart form parse error - ").rstrip(".")
        return _("The body is not valid multipart form data (%(reason)s).") % {"reason": reason}
    return detail


def exception_handler(exc, context):
    if isinstance(exc, NotAuthenticated | AuthenticationFailed):
        # DRF turns these into 403 because session authentication, listed first, names no
        # scheme; the contract is 401, and the header tells a client which scheme to use.
        return Response(
            {"detail": str(exc.detail)},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Token"},
        )
    if isinstance(exc, ParseError | UnsupportedMediaType):
        # A body that is not JSON (or not multipart), or in a media type the endpoint does not
        # read, is bad input like any other: 400 in the {field: [messages]} shape, the whole
        # body being the field at fault.
        return Response(
            {"non_field_errors": [parse_error_message(str(exc.detail))]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(validation_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ActionRefused):
        return Response({"detail": str(exc.message)}, status=exc.status)
    if isinstance(exc, UnknownAction):
        return Response({"detail": _("No such action.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Http404):
        exc = Http404()
    if isinstance(exc, PermissionDenied) and not str(exc):
        exc = PermissionDenied()
    return drf_exception_handler(exc, context)
