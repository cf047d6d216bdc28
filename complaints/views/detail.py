"""The complaint page: everything known, the deadlines, the timeline and the actions open now."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from complaints.api.views import evidence_response
from complaints.display import (
    EventWording,
    deadline_explanation,
    deadline_state,
    event_label,
    people_named_in,
    stage_name,
    time_left,
)
from complaints.forms.actions import ACTION_FORMS, ActionForm
from complaints.models import DeadlineState, Evidence
from complaints.selectors import complaint_events, complaint_get
from complaints.services import evidence_add
from complaints.workflow import ACTIONS, available_actions


def _timeline(complaint, evidence: dict[int, Evidence]) -> list[dict]:
    events = list(complaint_events(complaint=complaint))
    wording = EventWording(complaint.estate.zone, people_named_in(events))
    entries = []
    for event in events:
        data: dict[str, Any] = event.data or {}
        entries.append(
            {
                "event": event,
                "label": event_label(event.kind),
                "from_stage": stage_name(event.from_stage) if event.from_stage else "",
                "to_stage": stage_name(event.to_stage) if event.to_stage else "",
                "details": wording.details(data),
                "cause": wording.cause(data) if event.kind == "deadline_recomputed" else "",
                "evidence": evidence.get(data["evidence"]) if "evidence" in data else None,
                "system": event.actor_id is None,
            }
        )
    return entries


def _deadlines(complaint, now) -> list[dict]:
    zone = complaint.estate.zone
    rows = []
    for deadline in complaint.deadlines.exclude(state=DeadlineState.CANCELLED).order_by(
        "due_at", "id"
    ):
        state = deadline_state(deadline, now)
        rows.append(
            {
                "deadline": deadline,
                "state": state,
                "state_label": DeadlineState(state).label,
                # A closed complaint owes nothing: a deadline it missed stays "missed" on
                # record, without a time overdue that would grow for ever.
                "left": (
                    time_left(deadline.due_at, now)
                    if deadline.state in (DeadlineState.PENDING, DeadlineState.MISSED)
                    and complaint.closed_at is None
                    else None
                ),
                "overdue": state == DeadlineState.MISSED and complaint.closed_at is None,
                "explanation": deadline_explanation(deadline.explanation or {}, zone),
            }
        )
    return rows


def render_detail(request, complaint, *, bound: ActionForm | None = None, status: int = 200):
    now = timezone.now()
    evidence = {
        item.pk: item
        for item in Evidence.objects.filter(complaint=complaint)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    }
    actions = []
    names = available_actions(complaint, request.user)
    for name in names:
        is_bound = bound is not None and bound.action_name == name
        form = bound if is_bound else ACTION_FORMS[name](complaint=complaint)
        actions.append({"action": ACTIONS[name], "form": form, "open": is_bound})
    context = {
        "complaint": complaint,
        "now": now,
        "deadlines": _deadlines(complaint, now),
        "timeline": _timeline(complaint, evidence),
        "evidence": list(evidence.values()),
        "callbacks": complaint.callbacks.select_related("made_by").order_by("made_at", "id"),
        "open_escalations": complaint.escalations.filter(acknowledged_at__isnull=True),
        "actions": actions,
        "created": request.GET.get("created") == "1",
        # Whoever may link it to an incident may open one from it (SPEC §9.3).
        "may_open_incident": complaint.incident_id is None and "link_incident" in names,
    }
    return render(request, "complaints/detail.html", context, status=status)


@require_GET
@login_required
def detail(request, reference: str):
    complaint = complaint_get(user=request.user, reference=reference)
    return render_detail(request, complaint)


@require_GET
@login_required
def evidence_file(request, reference: str, pk: int):
    """The file, after the same visibility check as the complaint (the API's response)."""
    complaint = complaint_get(user=request.user, reference=reference)
    evidence = Evidence.objects.filter(complaint=complaint, pk=pk).first()
    if evidence is None:
        raise Http404("No such evidence.")
    return evidence_response(evidence)


@require_POST
@login_required
def evidence_upload(request, reference: str):
    complaint = complaint_get(user=request.user, reference=reference)
    files = request.FILES.getlist("evidence")
    if not files:
        messages.error(request, _("Choose one or more files to attach."))
    added = refused = 0
    for upload in files:
        try:
            evidence_add(reference=complaint.reference, actor=request.user, upload=upload)
            added += 1
        except ValidationError as exc:
            refused += 1
            # The refusal names the file.
            messages.warning(
                request, _("Not attached: %(reason)s") % {"reason": " ".join(exc.messages)}
            )
    if added:
        messages.success(
            request,
            ngettext("%(count)d file attached.", "%(count)d files attached.", added)
            % {"count": added},
        )
    if refused or not files:
        # Bad input: the page again, saying what was refused and what was kept, as a 400.
        fresh = complaint_get(user=request.user, reference=complaint.reference)
        return render_detail(request, fresh, status=400)
    return redirect("complaints:detail", reference=complaint.reference)
