"""The residents' pages, without a login: the status of one complaint behind its signed link,
the look-up by reference and phone, the rating and the opt-out from text messages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from complaints.errors import ActionRefused, AlreadyRated
from complaints.models import Complaint, Satisfaction, Stage
from complaints.services.ratings import complaint_rate
from complaints.status_links import status_path
from portal import selectors
from portal.forms import REFERENCE_MAX, LookupForm, RatingForm, bounded
from portal.pages import resident_page, speak, with_complaint
from portal.throttle import try_count
from residents.services import messages_stop, messages_stopped
from staff.lockout import client_ip


def _back(request, path: str) -> str:
    """A path on the resident's pages, in the language the reader chose."""
    return path + request.portal_lang_query


@require_http_methods(["GET"])
@with_complaint
def status(request, complaint: Complaint, token: str):
    context = {
        "complaint": complaint,
        "token": token,
        "stage": selectors.plain_stage(complaint),
        "next": selectors.next_steps(complaint),
        "messages_sent": selectors.messages_sent(complaint),
        "may_rate": selectors.may_rate(complaint),
        "rated": complaint.resident_rated_at is not None,
        "supervisor_calls": _supervisor_calls(complaint),
        "zone": complaint.estate.time_zone,
    }
    return render(request, "portal/status.html", context)


def _too_many(request, retry_after: int):
    minutes = max(1, -(-retry_after // 60))
    response = render(request, "portal/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
@resident_page
def lookup(request):
    """Reference and the phone's last four digits: a match goes to the complaint's page, and
    every miss, whichever half was wrong, gets the same answer after the same work."""
    speak(request)
    if request.method == "GET":
        form = LookupForm(initial={"reference": request.GET.get("reference", "")[:REFERENCE_MAX]})
        return render(request, "portal/lookup.html", {"form": form})
    # Every try counts against the address, a malformed one too.
    by_address = try_count(
        scope="address", subject=client_ip(request), limit=settings.DESK_LOOKUPS_PER_ADDRESS
    )
    if by_address.exceeded:
        return _too_many(request, by_address.retry_after)
    form = LookupForm(bounded(request.POST))
    if not form.is_valid():
        return render(request, "portal/lookup.html", {"form": form}, status=400)
    reference = form.cleaned_data["reference"]
    by_reference = try_count(
        scope="reference", subject=reference, limit=settings.DESK_LOOKUPS_PER_REFERENCE
    )
    if by_reference.exceeded:
        return _too_many(request, by_reference.retry_after)
    complaint = selectors.complaint_for_lookup(
        reference=reference, phone_last4=form.cleaned_data["phone_last4"]
    )
    if complaint is not None:
        return redirect(_back(request, status_path(complaint)))
    context = {"form": LookupForm(initial={"reference": reference}), "missed": True}
    return render(request, "portal/lookup.html", context)


@require_http_methods(["GET", "POST"])
@with_complaint
def rate(request, complaint: Complaint, token: str):
    context: dict = {"complaint": complaint, "token": token}
    if request.method == "GET":
        if complaint.resident_rated_at is not None:
            context["supervisor_calls"] = _supervisor_calls(complaint)
            return render(request, "portal/rated.html", context)
        if not selectors.may_rate(complaint):
            return render(request, "portal/rate_not_yet.html", context)
        return render(request, "portal/rate.html", {**context, "form": RatingForm()})
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            complaint_rate(complaint_id=complaint.pk, **form.cleaned_data)
        except AlreadyRated as refusal:
            return render(
                request, "portal/rated_already.html", {**context, "refusal": refusal}, status=409
            )
        except ActionRefused:
            return render(request, "portal/rate_not_yet.html", context, status=409)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect(_back(request, status_path(complaint) + "rate/"))
    if complaint.resident_rated_at is not None:
        # Rated already, and asked again with a broken form: still the 409 of a second rating.
        return render(request, "portal/rated_already.html", context, status=409)
    return render(request, "portal/rate.html", {**context, "form": form}, status=400)


def _supervisor_calls(complaint: Complaint) -> bool:
    """Unsatisfied, and the complaint open again (reopened or escalated): a supervisor calls.
    A complaint closed too long ago to reopen is only noted."""
    return complaint.resident_rating == Satisfaction.UNSATISFIED and complaint.stage != Stage.CLOSED


@require_http_methods(["GET", "POST"])
@with_complaint
def stop(request, complaint: Complaint, token: str):
    phone = selectors.complaint_phone(complaint)
    if request.method == "POST" and phone:
        messages_stop(phone=phone, at=timezone.now(), via="link", name=complaint.complainant_name)
        return redirect(_back(request, status_path(complaint) + "stop/"))
    context = {
        "complaint": complaint,
        "token": token,
        "has_phone": bool(phone),
        "stopped": bool(phone) and messages_stopped(phone),
    }
    return render(request, "portal/stop.html", context)
