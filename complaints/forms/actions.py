"""One small form per workflow action (SPEC §4), with the API's field names.

Each form is generated from the inputs its action declares in ``workflow.ACTIONS``: labels,
choices, lengths and what is required come from there, as the API's serializers do. What stays
here is what only a page needs: the departments and people to choose from, initial values, and
the widgets.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from complaints.forms.fields import (
    LocalDateTimeField,
    choice_field,
    labelled,
    local_datetime_field,
)
from complaints.inputs import Input, Kind
from complaints.models import CannedExplanation, Incident, IncidentStage
from complaints.selectors import canned_explanations_for
from complaints.workflow import ACTIONS, VERSION_MAX
from staff.models import Department, StaffMember
from staff.names import person_name, person_sort_key


def department_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in Department.objects.order_by("code")]


def _departments_of(complaint) -> list[Department]:
    """Read once per page, however many of the complaint's forms offer a department."""
    cached = getattr(complaint, "_departments", None)
    if cached is None:
        cached = complaint._departments = list(Department.objects.order_by("code"))
    return cached


def _department_choices_of(complaint) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in _departments_of(complaint)]


def assignee_choices(complaint, *, any_department: bool = False) -> list[tuple[str, str]]:
    """Who may be named to handle ``complaint``: the active people of its department who cover
    its estate, by name in pinyin order. ``any_department``: of every department (the form may
    hand it on in the same step); so too when it has no department yet."""
    people = StaffMember.objects.filter(
        user__is_active=True, estates=complaint.estate_id, department__isnull=False
    )
    if complaint.department_id and not any_department:
        people = people.filter(department_id=complaint.department_id)
    members = sorted(people.select_related("user", "department"), key=_by_name)
    return [("", "—"), *((m.user.username, _assignee_label(m.user, m.department)) for m in members)]


def assignee_choices_by_complaint(complaints) -> dict[int, list[tuple[str, str]]]:
    """``assignee_choices`` for many complaints in one query: a page of many forms."""
    estate_ids = {complaint.estate_id for complaint in complaints}
    covers = StaffMember.estates.through.objects.filter(
        estate_id__in=estate_ids,
        staffmember__user__is_active=True,
        staffmember__department__isnull=False,
    ).select_related("staffmember__user", "staffmember__department")
    people = sorted(
        ((cover.estate_id, cover.staffmember) for cover in covers),
        key=lambda cover: _by_name(cover[1]),
    )
    return {
        complaint.pk: [
            ("", "—"),
            *(
                (member.user.username, _assignee_label(member.user, member.department))
                for estate_id, member in people
                if estate_id == complaint.estate_id
                and complaint.department_id in (None, member.department_id)
            ),
        ]
        for complaint in complaints
    }


def options_html(choices: list[tuple[str, str]]) -> SafeString:
    """The ``<option>``s of a select, escaped: for a page that repeats one select many times."""
    return format_html_join("", '<option value="{}">{}</option>', choices)


def _by_name(member: StaffMember) -> tuple[str, str, str]:
    return person_sort_key(member.user)


def _assignee_label(user: User, department: Department | None) -> str:
    name = person_name(user)
    return f"{name} ({department.name})" if department else name


def _canned_explanations_of(complaint) -> list[CannedExplanation]:
    """Read once per page, however many of the complaint's forms offer them."""
    cached = getattr(complaint, "_canned_explanations", None)
    if cached is None:
        cached = complaint._canned_explanations = canned_explanations_for(complaint=complaint)
    return cached


def _incident_choices_of(complaint) -> list[tuple[str, str]]:
    """The open incidents of the complaint's estate, and "none" to unlink."""
    incidents = Incident.objects.filter(
        estate_id=complaint.estate_id, stage=IncidentStage.OPEN
    ).values_list("pk", "reference", "title")
    return [
        ("", str(_("— none —"))),
        *((str(pk), f"{ref} {title}") for pk, ref, title in incidents),
    ]


def _field(spec: Input) -> forms.Field:
    """The page's field for one declared input; choices read from the database come later."""
    label, required = spec.label, spec.required
    if spec.kind is Kind.TEXT:
        widget = forms.Textarea(attrs={"rows": spec.rows})
        return forms.CharField(
            label=label, required=required, max_length=spec.max_length, widget=widget
        )
    if spec.kind is Kind.LINE:
        return forms.CharField(label=label, required=required, max_length=spec.max_length)
    if spec.kind is Kind.CHOICE:
        # In the order of the choices themselves, as every other select of the desk.
        options = labelled(type(spec.choices[0]), spec.values)
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *options])
    if spec.kind is Kind.DATETIME:
        return LocalDateTimeField(label=label, required=required)
    if spec.kind is Kind.BOOL:
        assert spec.answers  # a BOOL input declares its answers (``Input.__post_init__``)
        yes, no = spec.answers
        return forms.TypedChoiceField(
            label=label,
            required=required,
            choices=[("true", yes), ("false", no)],
            coerce=lambda value: value == "true",
            widget=forms.RadioSelect,
            empty_value=None,
        )
    # A department or a person: the options depend on the complaint, set by ``ActionForm``.
    return forms.ChoiceField(label=label, required=required)


class ActionForm(forms.Form):
    """The form of one workflow action, built from the inputs the workflow table declares."""

    action_name = ""
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, required=False
    )

    def __init__(self, *args, complaint, **kwargs) -> None:
        # Field names stay the API's; only the ids differ, so that many forms share a page.
        kwargs.setdefault("auto_id", f"id_{self.action_name}_%s")
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.initial.setdefault("version", complaint.version)
        inputs = ACTIONS[self.action_name].inputs
        # The fields the page offers the canned explanations for, and the explanations.
        self.canned_fields = {spec.name for spec in inputs if spec.canned}
        self.canned_explanations = _canned_explanations_of(complaint) if self.canned_fields else []
        for spec in inputs:
            field = self.fields[spec.name] = _field(spec)
            if spec.kind is Kind.DEPARTMENT:
                choice_field(self, spec.name).choices = [
                    ("", "—"),
                    *_department_choices_of(complaint),
                ]
            elif spec.kind is Kind.ASSIGNEE:
                # Beside a department field, someone of the department chosen with it.
                choice_field(self, spec.name).choices = assignee_choices(
                    complaint,
                    any_department=any(
                        i.kind is Kind.DEPARTMENT for i in ACTIONS[self.action_name].inputs
                    ),
                )
            elif spec.kind is Kind.INCIDENT:
                choice_field(self, spec.name).choices = _incident_choices_of(complaint)
                self.initial.setdefault(spec.name, complaint.incident_id or "")
            elif isinstance(field, LocalDateTimeField):
                field.zone = complaint.estate.zone
        self.setup()

    def setup(self) -> None:
        """Per-action initial values."""

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return {k: v for k, v in data.items() if v not in (None, "")}


class PlanResolutionForm(ActionForm):
    action_name = "plan_resolution"

    def setup(self) -> None:
        category = self.complaint.category
        default_id = category.default_department_id or category.top.default_department_id
        # From the departments already read, not one more query for the category's own.
        for department in _departments_of(self.complaint):
            if department.pk == default_id:
                self.initial.setdefault("department", department.code)


class AssignForm(ActionForm):
    action_name = "assign"

    def setup(self) -> None:
        if self.complaint.department_id:
            self.initial.setdefault("department", self.complaint.department.code)


# The actions whose page form adds initial values to its declared inputs.
WITH_INITIAL: dict[str, type[ActionForm]] = {
    form.action_name: form for form in (PlanResolutionForm, AssignForm)
}


def action_form_class(name: str) -> type[ActionForm]:
    """The page form of the action ``name``: its inputs, and the version the page was drawn at."""
    if name in WITH_INITIAL:
        return WITH_INITIAL[name]
    class_name = "".join(part.title() for part in name.split("_")) + "Form"
    return type(class_name, (ActionForm,), {"action_name": name})


ACTION_FORMS: dict[str, type[ActionForm]] = {name: action_form_class(name) for name in ACTIONS}


class EvidenceUploadForm(forms.Form):
    evidence = forms.FileField(label=_("Evidence"))


class AcknowledgeForm(forms.Form):
    """Acknowledging an escalation: optionally a new callback time agreed, and a new assignee."""

    callback_due_at = LocalDateTimeField(label=_("New callback time"), required=False)
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.TextInput()
    )

    def __init__(self, *args, complaint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        local_datetime_field(self, "callback_due_at").zone = complaint.estate.zone
        choice_field(self, "assignee").choices = assignee_choices(complaint)
