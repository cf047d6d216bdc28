"""The answer to a locked-out sign-in: JSON for the API, the explanatory page for people."""

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
