"""Intake at /complaints/new/, built for a call in progress, and its htmx helpers."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from complaints.display import choice_labels
from complaints.errors import ActionForbidden
from complaints.forms.fields import LocalDateTimeField
from complaints.forms.intake import IntakeForm
from complaints.models import Category, DeadlineKind, Severity
from complaints.search import UNIT_DIGITS_MAX, plain_width
from complaints.selectors import complaints_visible_to, estates_visible_to
from complaints.selectors_incidents import incidents_covering
from complaints.services.deadlines import deadlines_missed_from
from complaints.services.intake import received_at_refusal, repeat_find
from complaints.services.submissions import complaint_submit, submission_find
from residents.models import Estate, Resident, Unit
from residents.selectors import (
    LOOKUP_TEXT_MAX,
    resident_search,
    residents_visible_to,
    units_lookup,
    units_visible_to,
)
from staff.roles import FRONT_DESK_PLUS, user_roles

LOOKUP_LIMIT = 8


def require_intake_role(request) -> None:
    if not user_roles(request.user) & FRONT_DESK_PLUS:
        raise PermissionDenied(_("Your role may not log complaints."))


def _logged(request, complaint, *, again: bool = False):
    if again:
        messages.info(
            request,
            _("This complaint was already saved: it was sent twice and saved once."),
        )
    url = reverse("complaints:detail", kwargs={"reference": complaint.reference})
    return redirect(f"{url}?created=1")


@require_http_methods(["GET", "POST"])
@login_required
def intake(request):
    require_intake_role(request)
    if request.method == "GET":
        # A link may open the form on an estate, a unit or a resident (?estate=HY).
        initial = {key: value for key, value in _location_initial(request).items() if value}
        form = IntakeForm(initial=initial, user=request.user)
        return render(request, "complaints/intake.html", {"form": form})
    form = IntakeForm(request.POST, request.FILES, user=request.user)
    once = form.once()
    # A second sending of the form (a double click, a second tab) shows the first complaint.
    if once is not None and (earlier := submission_find(user=request.user, once=once)):
        return _logged(request, earlier.record, again=True)
    if form.is_valid():
        try:
            submitted = complaint_submit(
                actor=request.user,
                data=form.complaint_input(),
                evidence=form.cleaned_data["evidence"],
                once=once,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            return _logged(request, submitted.record, again=submitted.replayed)
    files_lost = bool(request.FILES.getlist("evidence"))
    # Drawn at once, for a browser without scripts too, with the incident chosen before.
    offer = _incidents_offered(request, request.POST, _unit_chosen(request, request.POST))
    return render(
        request,
        "complaints/intake.html",
        {"form": form, "files_lost": files_lost, **offer},
        status=400,
    )


def _location_initial(request) -> dict:
    """Estate, building, unit and resident from the query, completed from what they imply."""
    params = request.GET
    user = request.user
    initial = {key: params.get(key, "") for key in ("estate", "building", "unit", "resident")}
    resident = None
    if initial["resident"].isdigit():
        resident = residents_visible_to(user).filter(pk=initial["resident"]).first()
    initial["resident"] = resident.pk if resident else ""
    unit = None
    if initial["unit"].isdigit():
        unit = units_visible_to(user).filter(pk=initial["unit"]).first()
    if unit is None and resident is not None and params.get("pick"):
        unit = units_visible_to(user).filter(residencies__resident=resident).first()
    if unit is not None and (params.get("pick") or not initial["estate"]):
        initial.update(estate=unit.building.estate.code, building=unit.building_id, unit=unit.pk)
    if (
        resident is not None
        and initial["estate"]
        and not resident.units.filter(building__estate__code=initial["estate"]).exists()
    ):
        # The desk moved to another estate: the resident picked before does not live there.
        initial["resident"] = ""
    return initial


@require_GET
@login_required
def intake_location(request):
    """The estate → building → unit picker, redrawn after a change or a pick."""
    require_intake_role(request)
    form = IntakeForm(initial=_location_initial(request), user=request.user)
    response = render(request, "complaints/intake/_location.html", {"form": form})
    # The repeat check, the incidents and the history listen for this: a pick changes the unit
    # without a change event. Sent once the new picker is in place, so that they read its
    # estate, unit and resident rather than the ones it replaced.
    response["HX-Trigger-After-Swap"] = "location-changed"
    return response


@require_GET
@login_required
def intake_lookup(request):
    """Residents and units matching a phone number, a name or a unit, as the desk types."""
    require_intake_role(request)
    q = request.GET.get("lookup", "").strip()[:LOOKUP_TEXT_MAX]
    residents: list[Resident] = []
    units: list[Unit] = []
    estate_id = None
    if len(q) >= 2:
        # The desk's estates once: the one chosen on the form, and those a resident's units
        # are shown in.
        estates = {estate.code: estate.pk for estate in estates_visible_to(request.user)}
        estate_id = estates.get(request.GET.get("estate", ""))
        residents = list(
            resident_search(user=request.user, q=q, estate_id=estate_id).prefetch_related(
                "units__building__estate"
            )[:LOOKUP_LIMIT]
        )
        visible = set(estates.values())
        for resident in residents:
            resident.visible_units = [
                u for u in resident.units.all() if u.building.estate_id in visible
            ]
        # Units too, unless what was typed has a phone number's digits (more than a unit's).
        if sum(char.isdigit() for char in plain_width(q)) <= UNIT_DIGITS_MAX:
            building = request.GET.get("building", "")
            units = units_lookup(
                user=request.user,
                q=q,
                building_id=int(building) if building.isdigit() else None,
                estate_id=estate_id,
                limit=LOOKUP_LIMIT,
            )
    context = {
        "q": q,
        "groups": _chosen_estate_first(residents, units, estate_id),
        "found": bool(residents or units),
    }
    return render(request, "complaints/intake/_lookup.html", context)


def _chosen_estate_first(
    residents: list[Resident], units: list[Unit], estate_id: int | None
) -> list[tuple[list[Resident], list[Unit]]]:
    """The matches as (residents, units) groups: with an estate chosen on the form, its own
    (residents, then units) before those of the desk's other estates, which the selectors,
    ranking residents and units each in their own list, cannot say."""
    if not estate_id:
        return [(residents, units)]

    def here(unit: Unit) -> bool:
        return unit.building.estate_id == estate_id

    living_here = {r.pk for r in residents if any(here(u) for u in r.visible_units)}
    return [
        ([r for r in residents if r.pk in living_here], [u for u in units if here(u)]),
        ([r for r in residents if r.pk not in living_here], [u for u in units if not here(u)]),
    ]


@require_GET
@login_required
def intake_repeat(request):
    """A warning when the same unit or resident complained in this category recently."""
    require_intake_role(request)
    params = request.GET
    estate = estates_visible_to(request.user).filter(code=params.get("estate", "")).first()
    category = Category.objects.filter(code=params.get("category", "")).first()
    unit = resident = None
    if estate is not None:
        if params.get("unit", "").isdigit():
            unit = (
                units_visible_to(request.user)
                .filter(pk=params["unit"], building__estate=estate)
                .first()
            )
        if params.get("resident", "").isdigit():
            resident = residents_visible_to(request.user).filter(pk=params["resident"]).first()
    earlier = None
    if estate is not None and category is not None and (unit or resident):
        now = timezone.now()
        # A paper complaint is a repeat of what came before it was received, as intake will
        # judge it; a time intake would refuse is judged as now.
        received_at = _received_at(params, estate)
        if received_at is None or received_at_refusal(received_at, now):
            received_at = now
        earlier = repeat_find(
            estate=estate,
            unit=unit,
            resident=resident,
            top_category=category.top,
            received_at=received_at,
        )
        if (
            earlier is not None
            and not complaints_visible_to(request.user).filter(pk=earlier.pk).exists()
        ):
            earlier = None
    # A repeat about the incident the new call is linked to is not escalated (intake).
    incident = params.get("incident", "")
    same_incident = earlier is not None and str(earlier.incident_id) == incident
    context = {"earlier": earlier, "same_incident": same_incident}
    return render(request, "complaints/intake/_repeat.html", context)


def _received_at(params: QueryDict, estate: Estate) -> dt.datetime | None:
    """The received time the form gives, read on the estate's clock; None when it is empty or
    no time at all (year 1, a month 13): the form's own check says so when it is saved."""
    field = LocalDateTimeField(required=False)
    field.zone = estate.zone
    try:
        return field.clean(params.get("received_at", ""))
    except (ValidationError, OverflowError, ValueError):
        return None


def _unit_chosen(request, params: QueryDict) -> Unit | None:
    value = params.get("unit", "")
    if not (value.isascii() and value.isdigit()):
        return None
    return units_visible_to(request.user).filter(pk=value).first()


def _incidents_offered(request, params: QueryDict, unit: Unit | None) -> dict:
    """The open incidents over ``unit``, the chosen category's first, and the one chosen to
    link the complaint to (kept as long as it is offered)."""
    category = (
        Category.objects.filter(code=params.get("category", ""), active=True)
        .select_related("parent")
        .first()
    )
    incidents = []
    if unit is not None and category is not None:
        incidents = list(incidents_covering(user=request.user, unit=unit, category=category))
    wanted = params.get("incident", "")
    chosen = next((i for i in incidents if str(i.pk) == wanted), None)
    return {"incidents": incidents, "incident_chosen": chosen}


@require_GET
@login_required
def intake_incidents(request):
    """The incidents panel: once the unit and the category are chosen, the open incidents
    over the unit, each with its notice to read out and a radio button that links the new
    complaint to it. A unit the desk does not cover is 404."""
    require_intake_role(request)
    unit = _unit_chosen(request, request.GET)
    if unit is None and request.GET.get("unit"):
        raise Http404("No such unit.")
    offer = _incidents_offered(request, request.GET, unit)
    return render(request, "complaints/intake/_incidents.html", offer)


@require_GET
@login_required
def intake_backdated(request):
    """For a complaint received earlier (on paper): the deadlines already run out, which will
    escalate once it is saved. Nothing when the time is now, absent or unreadable: the form's
    own check says what is wrong with it when it is saved."""
    require_intake_role(request)
    params = request.GET
    estate = estates_visible_to(request.user).filter(code=params.get("estate", "")).first()
    category = Category.objects.filter(code=params.get("category", ""), active=True).first()
    missed: list = []
    refusal = None
    if estate is not None and category is not None:
        received_at = _received_at(params, estate)
        severity = params.get("severity", "")
        # A time intake would refuse is said so, rather than warned about.
        if received_at is not None:
            refusal = received_at_refusal(received_at, timezone.now())
        if received_at is not None and refusal is None:
            missed = deadlines_missed_from(
                estate=estate,
                category=category,
                severity=severity if severity in Severity.values else category.default_severity,
                received_at=received_at,
                now=timezone.now(),
            )
    labels = choice_labels(DeadlineKind)
    context = {
        "missed": [{"label": labels[kind], "due": due} for kind, due in missed],
        "estate": estate,
        "refusal": refusal,
    }
    return render(request, "complaints/intake/_backdated.html", context)
