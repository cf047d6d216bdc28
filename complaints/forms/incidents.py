"""The incident pages' forms: the list's filter, opening an incident, and its three actions.

The rules (a title, an end in the future, buildings of the chosen estate, what each stage
allows) are the service's; these forms turn what was typed into what the service takes and
show its refusals beside the fields they concern.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from complaints.forms.category import category_choices
from complaints.forms.fields import (
    LocalDateTimeField,
    choice_field,
    labelled,
    local_datetime_field,
    model_choice_field,
)
from complaints.forms.once import OneTimeTokenForm
from complaints.models import Category, Complaint, Incident, Liability, SubmissionDoor
from complaints.selectors import estates_visible_to
from complaints.services.incidents import TEXT_MAX, TITLE_MAX, IncidentInput
from complaints.workflow import VERSION_MAX
from residents.models import Building, Estate
from residents.naming import natural_order

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class IncidentFilterForm(forms.Form):
    estate = forms.ChoiceField(label=_("Estate"), required=False)
    open = forms.BooleanField(label=_("Open only"), required=False)

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        estates = list(estates_visible_to(user).order_by("code"))
        choice_field(self, "estate").choices = [("", _("all"))] + [
            (e.code, e.name) for e in estates
        ]

    def filters(self) -> dict:
        """Valid filters for ``incident_list``; one that is not valid is left out."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            "estate_code": self.cleaned_data.get("estate") or "",
            "open_only": bool(self.cleaned_data.get("open")),
        }


class BuildingsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Building) -> str:
        return f"{obj.estate.name} · {obj.name}"


class IncidentOpenForm(OneTimeTokenForm):
    """What a supervisor says when opening an incident; ``source`` is the complaint it is
    opened from (``?from=<reference>``), linked once the incident is open. Its one-time token
    opens one incident however often the form is sent."""

    door = SubmissionDoor.INCIDENT_FORM

    estate = forms.ModelChoiceField(
        label=_("Estate"), queryset=Estate.objects.none(), to_field_name="code", empty_label="—"
    )
    buildings = BuildingsField(
        label=_("Buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the whole estate."),
    )
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    notice = forms.CharField(
        label=_("Public notice"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Read out to callers and sent to the residents of the covered units."),
    )
    expected_end = LocalDateTimeField(label=_("Expected end"), required=False)
    source = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        estates = estates_visible_to(user).order_by("code")
        model_choice_field(self, "estate").queryset = estates
        buildings = Building.objects.filter(estate__in=estates).select_related("estate")
        field = model_choice_field(self, "buildings")
        field.queryset = buildings
        # In the order people read them: by estate, then "2号楼" before "10号楼".
        field.choices = [
            (building.pk, field.label_from_instance(building))
            for building in natural_order(buildings, lambda b: f"{b.estate.code} {b.name}")
        ]
        choice_field(self, "category").choices = category_choices()

    @classmethod
    def initial_from(cls, complaint: Complaint) -> dict:
        """What opening from ``complaint`` starts with: its estate, its unit's building and
        its category."""
        initial: dict = {
            "estate": complaint.estate.code,
            "category": complaint.category.code,
            "source": complaint.reference,
        }
        if complaint.unit is not None:
            initial["buildings"] = [complaint.unit.building_id]
        return initial

    def clean_estate(self) -> Estate:
        estate = self.cleaned_data["estate"]
        # The end is the estate's wall time; the field is cleaned after this one.
        local_datetime_field(self, "expected_end").zone = estate.zone
        return estate

    def clean_category(self) -> Category:
        category = Category.objects.filter(code=self.cleaned_data["category"], active=True).first()
        if category is None:
            raise ValidationError(_("Choose one of the categories offered."))
        return category

    def incident_input(self) -> IncidentInput:
        data = self.cleaned_data
        return IncidentInput(
            estate=data["estate"],
            category=data["category"],
            title=data["title"],
            notice=data["notice"],
            expected_end=data.get("expected_end"),
            buildings=tuple(data.get("buildings") or ()),
        )


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """The service's refusal beside the field it names, or above the form."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class IncidentActionForm(forms.Form):
    """One action on an incident, posted with the version the page was drawn at."""

    action_name = ""
    label: StrOrPromise = ""
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, required=False
    )

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_{self.action_name}_%s")
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.initial.setdefault("version", incident.version)
        for field in self.fields.values():
            if isinstance(field, LocalDateTimeField):
                field.zone = incident.estate.zone

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class IncidentUpdateForm(IncidentActionForm):
    action_name = "update"
    label = _("Update the notice")
    notice = forms.CharField(
        label=_("Public notice"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    expected_end = LocalDateTimeField(label=_("Expected end"), required=False)

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        super().__init__(*args, incident=incident, **kwargs)
        self.initial.setdefault("notice", incident.notice)
        self.initial.setdefault("expected_end", incident.expected_end)

    def service_data(self) -> dict:
        """Only what changed: an end left as it was is not checked again (it may have
        passed meanwhile)."""
        data = super().service_data()
        end = self.incident.expected_end
        # The field shows the end to the minute; the API may have stored seconds.
        shown = end.replace(second=0, microsecond=0) if end is not None else None
        if data.get("expected_end") in (end, shown):
            del data["expected_end"]
        return data


class IncidentResolveForm(IncidentActionForm):
    action_name = "resolve"
    label = _("Resolve")
    outcome = forms.CharField(
        label=_("Outcome"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    cause = forms.CharField(
        label=_("Cause"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    liability = forms.ChoiceField(label=_("Liability"))

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        super().__init__(*args, incident=incident, **kwargs)
        choice_field(self, "liability").choices = [("", "—"), *labelled(Liability)]


class IncidentAcknowledgeForm(IncidentActionForm):
    action_name = "acknowledge"
    label = _("Acknowledge (no message to residents)")
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.TextInput()
    )


class IncidentCloseForm(IncidentActionForm):
    action_name = "close"
    label = _("Close")
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.TextInput()
    )


INCIDENT_FORMS: dict[str, type[IncidentActionForm]] = {
    form.action_name: form
    for form in (
        IncidentAcknowledgeForm,
        IncidentUpdateForm,
        IncidentResolveForm,
        IncidentCloseForm,
    )
}
