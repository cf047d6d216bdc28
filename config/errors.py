"""Error pages: under /api/ a JSON answer in the API's shape, elsewhere the desk's template."""

from django.http import JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound


def not_found(request, exception):
    """A path under /api/ that matches no route (``/evidence/abc/``) answers like the API."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
