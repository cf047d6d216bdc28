"""Sign-in throttling: whose address a failure counts against, and the answer to a lockout."""

from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("Too many failed sign-ins. Try again in %(minutes)d minutes.")
                % {"minutes": minutes}
            },
            status=429,
        )
    response = TemplateResponse(
        request, "registration/locked_out.html", {"minutes": minutes}, status=429
    )
    return response.render()


def client_ip(request) -> str:
    """The client's address. Behind DESK_TRUSTED_PROXIES proxies (nginx: 1), it is the
    address the nearest trusted proxy saw, not one the client could write itself."""
    proxies = settings.DESK_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
