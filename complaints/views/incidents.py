"""The building-wide incidents' pages (SPEC §9.3): the list at /incidents/, which every desk
role reads (the front desk reads the notice out to callers), an incident's page, and opening,
updating, resolving and closing one, which are a supervisor's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.display import choice_labels
from complaints.errors import ActionForbidden, ActionRefused, StaleVersion
from complaints.forms.incidents import (
    INCIDENT_FORMS,
    IncidentActionForm,
    IncidentFilterForm,
    IncidentOpenForm,
    add_service_errors,
)
from complaints.models import Complaint, Incident, IncidentStage, Stage
from complaints.selectors import complaint_get
from complaints.selectors_incidents import incident_complaints, incident_get, incident_list
from complaints.services.incidents import incident_act
from complaints.services.submissions import (
    Once,
    Submitted,
    incident_submission_find,
    incident_submit,
)
from complaints.views.incident_display import (
    incident_deadline_rows,
    incident_escalation_rows,
    incident_timeline,
)
from complaints.workflow import VERSION_MAX
from staff.roles import SUPERVISOR_PLUS, user_roles

PAGE_SIZE = 50
MAX_PAGE = 10_000
# What the page offers in each stage; the service decides, and refuses the rest.
OFFERED = {
    IncidentStage.OPEN: ("acknowledge", "update", "resolve"),
    IncidentStage.RESOLVED: ("acknowledge", "close"),
}


def _supervises(user) -> bool:
    return bool(user_roles(user) & SUPERVISOR_PLUS)


def _require_supervisor(request) -> None:
    if not _supervises(request.user):
        raise PermissionDenied(_("Only a supervisor may open or change a building-wide incident."))


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


@require_GET
@login_required
def incidents(request):
    form = IncidentFilterForm(request.GET or None, user=request.user)
    page = _page_number(request)
    start = (page - 1) * PAGE_SIZE
    # One row more than a page says whether another page follows, without counting.
    rows = list(incident_list(user=request.user, **form.filters())[start : start + PAGE_SIZE + 1])
    stages = choice_labels(IncidentStage)
    for incident in rows[:PAGE_SIZE]:
        incident.stage_label = stages[incident.stage]  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/incidents.html",
        {
            "form": form,
            "incidents": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "has_previous": page > 1,
            "query": query.urlencode(),
            "can_open": _supervises(request.user),
            # The page lists without a filter that is not one, and says which it left out.
            "filters_left_out": form.is_bound and not form.is_valid(),
        },
    )


def _linked_complaints(request, incident: Incident) -> list[Complaint]:
    stages = choice_labels(Stage)
    complaints = list(incident_complaints(user=request.user, incident=incident))
    for complaint in complaints:
        complaint.stage_label = stages[complaint.stage]
    return complaints


def render_incident(
    request, incident: Incident, *, bound: IncidentActionForm | None = None, status: int = 200
):
    now = timezone.now()
    forms = []
    if _supervises(request.user):
        for name in OFFERED.get(IncidentStage(incident.stage), ()):
            is_bound = bound is not None and bound.action_name == name
            form = bound if is_bound else INCIDENT_FORMS[name](incident=incident)
            forms.append({"form": form, "open": is_bound})
    complaints = _linked_complaints(request, incident)
    context = {
        "incident": incident,
        "buildings": list(incident.buildings.all()),
        "stage_label": choice_labels(IncidentStage)[incident.stage],
        "deadlines": incident_deadline_rows(incident, now),
        "escalations": incident_escalation_rows(incident),
        "timeline": incident_timeline(incident),
        "complaints": complaints,
        # A handler reads the complaints of their department only: the others are counted.
        "unseen": incident.complaint_count - len(complaints),  # type: ignore[attr-defined]
        "forms": forms,
        "now": now,
    }
    return render(request, "complaints/incident.html", context, status=status)


@require_GET
@login_required
def incident(request, pk: int):
    return render_incident(request, incident_get(user=request.user, pk=pk))


def _posted_version(request) -> int | None:
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return version if 1 <= version <= VERSION_MAX else None


def _stale(request, pk: int):
    messages.error(
        request,
        _(
            "Someone else changed this incident meanwhile; here is its current state. "
            "Nothing was saved."
        ),
    )
    return redirect("complaints:incident", pk=pk)


@require_POST
@login_required
def incident_action(request, pk: int, action: str):
    form_class = INCIDENT_FORMS.get(action)
    if form_class is None:
        raise Http404("No such action.")
    incident = incident_get(user=request.user, pk=pk)
    _require_supervisor(request)
    form = form_class(request.POST, incident=incident)
    if not form.is_valid():
        # A form drawn from an older state is answered as the service would answer it.
        version = _posted_version(request)
        if version is not None and version != incident.version:
            return _stale(request, pk)
        return render_incident(request, incident, bound=form, status=400)
    try:
        incident_act(
            incident_id=pk,
            actor=request.user,
            action=action,
            data=form.service_data(),
            version=form.cleaned_data.get("version"),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render_incident(request, incident, bound=form, status=400)
    except StaleVersion:
        return _stale(request, pk)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except ActionRefused as exc:
        messages.error(
            request,
            _("%(reason)s Here is the incident's current state; nothing was saved.")
            % {"reason": exc.message},
        )
        return redirect("complaints:incident", pk=pk)
    messages.success(request, _("Done: %(action)s.") % {"action": form.label})
    return redirect("complaints:incident", pk=pk)


def _source(request, reference: str) -> Complaint | None:
    """The complaint the incident is opened from, if the reader may see it (else 404)."""
    if not reference:
        return None
    return complaint_get(user=request.user, reference=reference)


def _opened(
    request, form: IncidentOpenForm, source: Complaint | None, once: Once | None
) -> Submitted[Incident] | None:
    """The incident opened from the form (or by its first sending), or None with the refusal
    on the form."""
    try:
        return incident_submit(
            actor=request.user,
            data=form.incident_input(),
            source=source.reference if source else "",
            once=once,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except ActionRefused as exc:
        form.add_error(None, exc.message)
    return None


def _opened_already(request, incident: Incident):
    messages.info(
        request,
        _("Incident %(reference)s was already opened: the form was sent twice and opened it once.")
        % {"reference": incident.reference},
    )
    return redirect("complaints:incident", pk=incident.pk)


@require_http_methods(["GET", "POST"])
@login_required
def incident_new(request):
    _require_supervisor(request)
    if request.method == "GET":
        source = _source(request, request.GET.get("from", "").strip())
        initial = IncidentOpenForm.initial_from(source) if source else {}
        form = IncidentOpenForm(initial=initial, user=request.user)
        context = {"form": form, "source": source}
        return render(request, "complaints/incident_new.html", context)
    form = IncidentOpenForm(request.POST, user=request.user)
    once = form.once()
    # A second sending of the form (a double click, a retry) shows the incident it opened.
    if once is not None and (earlier := incident_submission_find(user=request.user, once=once)):
        return _opened_already(request, earlier.record)
    source = _source(request, request.POST.get("source", "").strip())
    if form.is_valid() and (submitted := _opened(request, form, source, once)) is not None:
        opened = submitted.record
        if submitted.replayed:
            return _opened_already(request, opened)
        if source is None:
            messages.success(
                request, _("Incident %(reference)s opened.") % {"reference": opened.reference}
            )
        else:
            messages.success(
                request,
                _("Incident %(reference)s opened; %(complaint)s is linked to it.")
                % {"reference": opened.reference, "complaint": source.reference},
            )
        return redirect("complaints:incident", pk=opened.pk)
    return render(
        request, "complaints/incident_new.html", {"form": form, "source": source}, status=400
    )
