"""One small form per workflow action (SPEC §4), with the API's field names.

Which fields are required comes from ``workflow.ACTIONS[...].requires``, as in the API; the
rules themselves stay in the workflow table and the services.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from complaints.forms.fields import LocalDateTimeField, labelled
from complaints.models import EscalationReason, Liability, Satisfaction, Validity
from complaints.workflow import ACTIONS
from staff.models import Department, StaffMember

YES_NO = [("true", _("yes, reached")), ("false", _("no, not reached"))]


def _text(label, *, rows: int = 3, max_length: int = 5000) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def _line(label, *, max_length: int = 200) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length)


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "—"), *choices])


def _valid(*values) -> list[tuple[str, str]]:
    return labelled(Validity, values)


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


def assignee_choices(complaint) -> list[tuple[str, str]]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, staff_member__estates=complaint.estate_id)
        .select_related("staff_member__department")
        .order_by("username")
    )
    choices = [("", "—")]
    for user in users:
        choices.append((user.username, _assignee_label(user, user.staff_member.department)))
    return choices


def assignee_choices_by_estate(estate_ids) -> dict[int, list[tuple[str, str]]]:
    """``assignee_choices`` for several estates in one query: a page of many forms."""
    covers = (
        StaffMember.estates.through.objects.filter(
            estate_id__in=set(estate_ids), staffmember__user__is_active=True
        )
        .select_related("staffmember__user", "staffmember__department")
        .order_by("staffmember__user__username")
    )
    choices = {estate_id: [("", "—")] for estate_id in estate_ids}
    for cover in covers:
        user = cover.staffmember.user
        label = _assignee_label(user, cover.staffmember.department)
        choices[cover.estate_id].append((user.username, label))
    return choices


def options_html(choices: list[tuple[str, str]]) -> SafeString:
    """The ``<option>``s of a select, escaped: for a page that repeats one select many times."""
    return format_html_join("", '<option value="{}">{}</option>', choices)


def _assignee_label(user, department) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({department.name})" if department else name


class ActionForm(forms.Form):
    """The common part: the version the page was drawn from, and the required fields."""

    action_name = ""
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, complaint, **kwargs) -> None:
        # Field names stay the API's; only the ids differ, so that many forms share a page.
        kwargs.setdefault("auto_id", f"id_{self.action_name}_%s")
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.initial.setdefault("version", complaint.version)
        requires = set(ACTIONS[self.action_name].requires)
        for name, field in self.fields.items():
            if name != "version":
                field.required = name in requires
            if isinstance(field, LocalDateTimeField):
                field.zone = complaint.estate.zone
        self.setup()

    def setup(self) -> None:
        """Per-action choices and initial values."""

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return {k: v for k, v in data.items() if v not in (None, "")}


class AcceptForm(ActionForm):
    action_name = "accept"


class CloseAsExplainedForm(ActionForm):
    action_name = "close_as_explained"
    validity = _choice(_("Validity"), [])
    explanation = _text(_("The explanation given"))

    def setup(self) -> None:
        self.fields["validity"].choices = [("", "—"), *_valid("invalid", "valid")]


class PlanResolutionForm(ActionForm):
    action_name = "plan_resolution"
    validity = _choice(_("Validity"), [])
    department = _choice(_("Handling department"), [])
    plan = _text(_("The plan agreed with the resident"))
    callback_due_at = LocalDateTimeField(label=_("Agreed callback time"))

    def setup(self) -> None:
        self.fields["validity"].choices = [("", "—"), *_valid("valid", "assisted")]
        self.fields["department"].choices = [("", "—"), *_department_choices_of(self.complaint)]
        category = self.complaint.category
        default_id = category.default_department_id or category.top.default_department_id
        # From the departments already read, not one more query for the category's own.
        for department in _departments_of(self.complaint):
            if department.pk == default_id:
                self.initial.setdefault("department", department.code)


class MarkResolvedForm(ActionForm):
    action_name = "mark_resolved"
    outcome = _text(_("What was done"))
    cause = _text(_("Cause"), rows=2)
    liability = _choice(_("Liability"), labelled(Liability))


class CloseForm(ActionForm):
    action_name = "close"
    satisfaction = _choice(_("Satisfaction"), labelled(Satisfaction))
    summary = _text(_("Follow-up summary"))


class ReopenForm(ActionForm):
    action_name = "reopen"
    reason = _text(_("Why it is reopened"))


class EscalateForm(ActionForm):
    action_name = "escalate"
    reason = _choice(
        _("Reason"),
        labelled(EscalationReason, ("unsatisfied", "refused_time", "other")),
    )
    note = _text(_("Note"), rows=2)


class LogCallbackForm(ActionForm):
    action_name = "log_callback"
    reached = forms.TypedChoiceField(
        label=_("Reached the resident?"),
        choices=YES_NO,
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        empty_value=None,
    )
    note = _text(_("What was said"), rows=2)
    next_callback_at = LocalDateTimeField(label=_("Next agreed callback (optional)"))


class AssignForm(ActionForm):
    action_name = "assign"
    department = _choice(_("Department"), [])
    assignee = _choice(_("Person"), [])
    note = _text(_("Note"), rows=2)

    def setup(self) -> None:
        self.fields["department"].choices = [("", "—"), *_department_choices_of(self.complaint)]
        self.fields["assignee"].choices = assignee_choices(self.complaint)
        if self.complaint.department_id:
            self.initial.setdefault("department", self.complaint.department.code)


class HoldForm(ActionForm):
    action_name = "hold"
    reason = _line(_("What it waits for"))
    until = LocalDateTimeField(label=_("Expected end"))


class ReleaseForm(ActionForm):
    action_name = "release"
    reason = _text(_("Note"), rows=2)


class AddNoteForm(ActionForm):
    action_name = "add_note"
    text = _text(_("Note"), max_length=10000)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action_name: form
    for form in (
        AcceptForm,
        CloseAsExplainedForm,
        PlanResolutionForm,
        MarkResolvedForm,
        CloseForm,
        ReopenForm,
        EscalateForm,
        LogCallbackForm,
        AssignForm,
        HoldForm,
        ReleaseForm,
        AddNoteForm,
    )
}
assert set(ACTION_FORMS) == set(ACTIONS), "every workflow action needs a page form"


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
        self.fields["callback_due_at"].zone = complaint.estate.zone
        self.fields["assignee"].choices = assignee_choices(complaint)
