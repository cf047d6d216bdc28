"""Request-wide policies: the Content-Security-Policy, NUL characters, numbers in the query,
the user's language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

from staff.roles import staff_of
from staff.services import staff_language_set

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
# Swagger UI styles itself inline; that trusted page alone may use inline styles. Its scripts
# are files (drf-spectacular's split view), so no page allows inline scripts. The admin needs no
# exemption: Django's admin templates carry no inline scripts or styles.
RELAXED_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
RELAXED_PREFIXES = ("/api/docs/",)


class ContentSecurityPolicyMiddleware:
    """Sets the policy on HTML answers that do not carry one of their own."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if settings.DEBUG and response.status_code >= 400:
            # Django's technical error pages (DEBUG only) are styled and scripted inline.
            return response
        relaxed = request.path.startswith(RELAXED_PREFIXES)
        response["Content-Security-Policy"] = RELAXED_POLICY if relaxed else PAGE_POLICY
        return response


def _refuse(request, status: int, message: str, *, field: str = "non_field_errors"):
    """A refusal in the shape of the place asked: the API's JSON, or a page's plain text."""
    if request.path.startswith("/api/"):
        body = {"detail": message} if status == 404 else {field: [message]}
        return JsonResponse(body, status=status)
    text = message if field == "non_field_errors" else f"{field}: {message}"
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class RefuseNulMiddleware:
    """A NUL character is never data: no text column can hold one, and PostgreSQL refuses a
    query that carries it. A path with one names nothing (404); a query string with one is
    bad input (400). Forms and API bodies refuse it field by field already."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return _refuse(request, 404, str(NotFound.default_detail))
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            return _refuse(request, 400, _("Null characters are not allowed."))
        return self.get_response(request)


# Query parameters that name a row by its id, or a page of a list, on any page or in the API.
NUMBER_PARAMETERS = ("page", "building", "unit", "resident")
# The largest id a row can have (a 64-bit key), and so the largest number worth reading.
LARGEST_NUMBER = 2**63 - 1


def _whole_number(value: str) -> bool:
    value = value.strip()
    return value.isascii() and value.isdigit() and int(value) <= LARGEST_NUMBER


class RefuseBadNumbersMiddleware:
    """A page number or an id in the query string is a whole number a 64-bit column holds;
    anything else (``1e400``, twenty digits, ``-1``) is bad input (400) that names the
    parameter, before a view turns it into an offset or a key. Left empty, it is not given."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        for name in NUMBER_PARAMETERS:
            if any(value and not _whole_number(value) for value in request.GET.getlist(name)):
                message = _("Enter a whole number from 0 to %(largest)d.") % {
                    "largest": LARGEST_NUMBER
                }
                return _refuse(request, 400, message, field=name)
        return self.get_response(request)


def _supported(language: str) -> str | None:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else None


class UserLanguageMiddleware:
    """The signed-in staff member's saved language wins over the browser's.

    Placed after LocaleMiddleware (which falls back to the cookie and Accept-Language) and after
    AuthenticationMiddleware. A successful POST to ``set_language`` is remembered on the staff
    member, so the choice follows the person to any browser.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        staff = self._staff(request)
        if staff is not None and _supported(staff.language):
            translation.activate(staff.language)
            request.LANGUAGE_CODE = staff.language
        response = self.get_response(request)
        if (
            staff is not None
            and request.method == "POST"
            and request.path == reverse("set_language")
            and response.status_code in (200, 204, 302)
        ):
            # Only after the view accepted the request: a CSRF failure (403) changes nothing.
            language = _supported(request.POST.get("language", ""))
            if language:
                staff_language_set(user=request.user, language=language)
        return response

    @staticmethod
    def _staff(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # With the roles and estates: the one read of the user's access this request makes.
        return staff_of(user)
