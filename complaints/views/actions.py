"""POST /complaints/<reference>/actions/<action>/: one workflow action from the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.errors import ActionForbidden, ActionRefused, StaleVersion
from complaints.forms.actions import ACTION_FORMS
from complaints.selectors import complaint_get
from complaints.services import complaint_act
from complaints.views.detail import render_detail
from complaints.workflow import ACTIONS, VERSION_MAX, refusal


def stale_message() -> str:
    return _(
        "Someone else changed this complaint meanwhile; here is its current state. "
        "Nothing was saved."
    )


def _refused(request, reference: str, exc: ActionRefused):
    """Forbidden: a 403 page with the reason. Stale or not possible now: the fresh page."""
    if isinstance(exc, ActionForbidden):
        raise PermissionDenied(exc.message) from exc
    if isinstance(exc, StaleVersion):
        messages.error(request, stale_message())
    else:
        messages.error(
            request,
            _("%(reason)s Here is the complaint's current state; nothing was saved.")
            % {"reason": exc.message},
        )
    return redirect("complaints:detail", reference=reference)


def _posted_version(request) -> int | None:
    """The version the form was drawn at; None when none is given or none could be one."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return version if 1 <= version <= VERSION_MAX else None


@require_POST
@login_required
def act(request, reference: str, action: str):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404(_("No such action."))
    complaint = complaint_get(user=request.user, reference=reference)
    form = form_class(request.POST, complaint=complaint)
    if not form.is_valid():
        # A form drawn from an older state is answered as the service would answer it.
        version = _posted_version(request)
        if version is not None and version != complaint.version:
            return _refused(request, reference, StaleVersion(stale_message()))
        if (refused := refusal(ACTIONS[action], complaint, request.user)) is not None:
            return _refused(request, reference, refused)
        return render_detail(request, complaint, bound=form, status=400)
    try:
        complaint_act(
            reference=reference,
            actor=request.user,
            action=action,
            data=form.service_data(),
            version=form.cleaned_data.get("version"),
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, field_messages in errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        return render_detail(request, complaint, bound=form, status=400)
    except ActionRefused as exc:
        return _refused(request, reference, exc)
    messages.success(request, _("Done: %(action)s.") % {"action": ACTIONS[action].label})
    return redirect("complaints:detail", reference=reference)
