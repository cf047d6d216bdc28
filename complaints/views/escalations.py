"""The escalation queue at /escalations/: supervisors from level 1, managers from level 2."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.display import choice_labels
from complaints.errors import ActionForbidden, ActionRefused
from complaints.forms.actions import AcknowledgeForm, assignee_choices_by_complaint, options_html
from complaints.models import DeadlineKind, Escalation, EscalationReason, Severity
from complaints.selectors import escalations_visible_to, escalations_waiting_for
from complaints.services.acknowledgements import escalation_acknowledge
from complaints.services.incident_clock import incident_queue_for
from complaints.services.incidents import incident_act
from complaints.views.fragments import jinja_fragment
from complaints.views.queue_cards import card
from staff.roles import SUPERVISOR_PLUS, user_roles

PAGE_SIZE = 50
MAX_PAGE = 10_000  # a page number the database can still turn into an offset


def _require_queue_role(request) -> None:
    if not user_roles(request.user) & SUPERVISOR_PLUS:
        raise PermissionDenied(_("The escalation queue is for supervisors and managers."))


def open_escalations(user: User | AnonymousUser) -> QuerySet[Escalation]:
    """Open escalations, most overdue first: by the missed deadline, else by when raised."""
    return escalations_waiting_for(user).select_related(
        "complaint__estate",
        "complaint__unit__building",
        "complaint__resident",
        "complaint__category__parent",
        "complaint__assignee",
    )


def _why(escalation: Escalation, reasons: dict, kinds: dict) -> dict:
    """The card's reason and the deadline behind it; a department that let the take-over
    slip reads as one phrase (未接单)."""
    deadline = escalation.deadline
    if deadline is not None and deadline.kind == DeadlineKind.TAKE_OVER:
        return {"reason": _("Not taken over"), "deadline_kind": ""}
    return {
        "reason": reasons[escalation.reason],
        "deadline_kind": kinds[deadline.kind] if deadline is not None else "",
    }


@require_GET
@login_required
def queue(request):
    _require_queue_role(request)
    try:
        page = max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE
    queue = open_escalations(request.user)
    # The page's ids first, in the queue's order; then those rows with everything they show
    # (docs/benchmarks.md, "Query shapes").
    ids = list(queue.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
    found = {escalation.pk: escalation for escalation in queue.filter(pk__in=ids).order_by()}
    rows: list[Escalation] = [found[pk] for pk in ids if pk in found]
    # Each label translated once for the page: three fields on each of fifty cards.
    reasons, severities, kinds = map(choice_labels, (EscalationReason, Severity, DeadlineKind))
    now = timezone.now()
    entries = [
        card(
            {
                "escalation": escalation,
                **_why(escalation, reasons, kinds),
                "severity": severities[escalation.complaint.severity],
            },
            now=now,
        )
        for escalation in rows[:PAGE_SIZE]
    ]
    return render(
        request,
        "complaints/escalations.html",
        {
            "entries": entries,
            "cards_html": jinja_fragment(
                "complaints/escalation_cards.html",
                {"entries": entries, "csrf_token": get_token(request)},
            ),
            # Building-wide incidents first, each once with its linked complaints' count.
            "incidents": incident_queue_for(request.user) if page == 1 else [],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "has_previous": page > 1,
            "now": now,
        },
    )


def _acknowledge_form(request, escalation: Escalation):
    """The acknowledge form of one card, asked for when the supervisor opens it: in the card
    (htmx), or as a page of its own without JavaScript. Fifty of them up front made the
    queue three times its size."""
    [choices] = assignee_choices_by_complaint([escalation.complaint]).values()
    context = {
        "escalation": escalation,
        "complaint": escalation.complaint,
        "acknowledge_fields": AcknowledgeForm.base_fields,
        "assignee_options": options_html(choices),
    }
    if request.headers.get("HX-Request"):
        return render(request, "complaints/_acknowledge.html", context)
    return render(request, "complaints/acknowledge.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def acknowledge(request, pk: int):
    _require_queue_role(request)
    escalation = (
        escalations_visible_to(request.user)
        .select_related("complaint__estate")
        .filter(pk=pk)
        .first()
    )
    if escalation is None:
        raise Http404("No such escalation.")
    if request.method == "GET":
        return _acknowledge_form(request, escalation)
    form = AcknowledgeForm(request.POST, complaint=escalation.complaint)
    reference = escalation.complaint.reference
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{reference}: {error}")
        return redirect("complaints:escalations")
    try:
        escalation_acknowledge(
            escalation_id=pk,
            actor=request.user,
            callback_due_at=form.cleaned_data.get("callback_due_at"),
            assignee=form.cleaned_data.get("assignee") or "",
            note=form.cleaned_data.get("note") or "",
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"{reference}: {message}")
    except ActionRefused as exc:
        messages.error(request, f"{reference}: {exc.message}")
    else:
        messages.success(
            request, _("Escalation of %(reference)s acknowledged.") % {"reference": reference}
        )
    return redirect("complaints:escalations")


@require_POST
@login_required
def incident_acknowledge(request, pk: int):
    """A supervisor takes on the incident's waiting escalations, from the queue."""
    _require_queue_role(request)
    try:
        incident = incident_act(
            incident_id=pk,
            actor=request.user,
            action="acknowledge",
            data={"note": request.POST.get("note", "")},
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (ActionRefused, ActionForbidden) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Escalation of %(reference)s acknowledged.") % {"reference": incident.reference},
        )
    return redirect("complaints:escalations")
