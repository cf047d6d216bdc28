"""/my/: a handler's phone. The department's open complaints, and the few actions taken on
site: take it on, note, mark resolved with the photos of the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints.display import stage_label, time_left
from complaints.errors import ActionForbidden, ActionRefused
from complaints.forms.actions import ACTION_FORMS, ActionForm
from complaints.models import DeadlineState, Evidence
from complaints.selectors import complaint_get, handler_desk
from complaints.services import complaint_act_with_photos
from complaints.workflow import ACTIONS, available_actions
from staff.roles import HANDLER, staff_of, user_roles

# What a handler does from a phone; the rest stays on the desk's complaint page.
PHONE_ACTIONS = ("take", "mark_resolved", "add_note")
# The action whose form carries the camera's photos.
WITH_PHOTOS = "mark_resolved"


def _handler_only(request) -> None:
    """Handlers of a department (leads too); everyone else works from the desk's pages."""
    staff = staff_of(request.user)
    if HANDLER not in user_roles(request.user) or staff is None or staff.department_id is None:
        raise PermissionDenied(_("This page is for the handlers of a department."))


def _rows(complaints, now) -> list[dict]:
    return [
        {
            "complaint": complaint,
            "left": time_left(complaint.next_due_at, now) if complaint.next_due_at else None,
        }
        for complaint in complaints
    ]


@require_GET
@login_required
def my_list(request):
    _handler_only(request)
    now = timezone.now()
    lists = handler_desk(user=request.user)
    groups = [
        ("to_take", _("To take"), _rows(lists["to_take"], now)),
        ("mine", _("Mine"), _rows(lists["mine"], now)),
        ("overdue", _("Overdue"), _rows(lists["overdue"], now)),
    ]
    return render(request, "phone/list.html", {"groups": groups})


def _render_detail(request, complaint, *, bound: ActionForm | None = None, status: int = 200):
    now = timezone.now()
    names = [n for n in available_actions(complaint, request.user) if n in PHONE_ACTIONS]
    actions = [
        {
            "action": ACTIONS[name],
            "form": bound
            if bound is not None and bound.action_name == name
            else ACTION_FORMS[name](complaint=complaint),
            "photos": name == WITH_PHOTOS,
        }
        for name in names
    ]
    owed = (
        complaint.deadlines.filter(state__in=[DeadlineState.PENDING, DeadlineState.MISSED])
        .order_by("due_at")
        .first()
    )
    context = {
        "complaint": complaint,
        "stage": stage_label(complaint.stage),
        "left": time_left(owed.due_at, now) if owed else None,
        "photos": Evidence.objects.filter(complaint=complaint, is_image=True).count(),
        "actions": actions,
    }
    return render(request, "phone/detail.html", context, status=status)


@require_GET
@login_required
def my_detail(request, reference: str):
    _handler_only(request)
    complaint = complaint_get(user=request.user, reference=reference)
    return _render_detail(request, complaint)


def _back(request, reference: str):
    if request.POST.get("back") == "list":
        return redirect("phone:list")
    return redirect("phone:detail", reference=reference)


@require_POST
@login_required
def my_act(request, reference: str, action: str):
    _handler_only(request)
    complaint = complaint_get(user=request.user, reference=reference)
    if action not in PHONE_ACTIONS:
        raise PermissionDenied(_("This action is taken on the desk's complaint page."))
    form = ACTION_FORMS[action](request.POST, complaint=complaint)
    if not form.is_valid():
        return _render_detail(request, complaint, bound=form, status=400)
    photos = request.FILES.getlist("photos") if action == WITH_PHOTOS else []
    try:
        complaint_act_with_photos(
            reference=reference,
            actor=request.user,
            action=action,
            data=form.service_data(),
            version=form.cleaned_data.get("version"),
            uploads=photos,
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _render_detail(request, complaint, bound=form, status=400)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _back(request, reference)
    messages.success(request, _("Done: %(action)s.") % {"action": ACTIONS[action].label})
    return _back(request, reference)
