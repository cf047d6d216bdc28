"""What every resident's page shares: its language, the answer to a link that opens nothing,
and headers that keep the pages out of search engines and shared caches."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from complaints.models import Complaint
from complaints.status_links import complaint_for_token

# Most residents read Chinese: a page that knows nobody's preference speaks it.
DEFAULT_LANGUAGE = "zh-hans"
SWITCH = {"zh-hans": "en", "en": "zh-hans"}


def _supported(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def _prefers_english(request) -> bool:
    """The browser asks for English before any Chinese (``Accept-Language``)."""
    for part in request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return False
        if tag.startswith("en"):
            return True
    return False


def speak(request, complaint: Complaint | None = None) -> str:
    """Activate the language asked for in the link (``?lang=en``), else the resident's own,
    else the browser's when it prefers English, else Chinese. Nothing is stored: the choice
    travels in the links."""
    asked = request.GET.get("lang", "")
    if _supported(asked):
        language = asked
    elif complaint is not None and complaint.resident is not None:
        language = complaint.resident.language
        language = language if _supported(language) else DEFAULT_LANGUAGE
    elif _prefers_english(request):
        language = "en"
    else:
        language = DEFAULT_LANGUAGE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    request.portal_lang_query = f"?lang={asked}" if _supported(asked) else ""
    request.portal_switch = SWITCH[language]
    return language


def resident_page(view: Callable) -> Callable:
    """Never cached by a shared cache nor indexed: the pages are reached by a private link."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def not_found(request):
    """The one answer to an unknown, tampered or expired link: nothing says which it was."""
    speak(request)
    return render(request, "portal/not_found.html", status=404)


def with_complaint(view: Callable) -> Callable:
    """Open the link's complaint, or answer the neutral 404, and speak its resident's language."""

    @functools.wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        complaint = complaint_for_token(token)
        if complaint is None:
            return not_found(request)
        speak(request, complaint)
        return view(request, complaint, token, *args, **kwargs)

    return resident_page(wrapped)
