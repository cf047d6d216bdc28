"""The intake form: what the desk types while the resident is on the phone or at the counter."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from complaints.forms.category import CategorySelect, category_choices, category_option_data
from complaints.forms.fields import (
    LocalDateTimeField,
    MultipleFileField,
    NaturalOrderModelChoiceField,
    choice_field,
    labelled,
    local_datetime_field,
    model_choice_field,
)
from complaints.forms.once import OneTimeTokenForm
from complaints.models import (
    Category,
    Channel,
    DesiredOutcome,
    Incident,
    Mindset,
    Severity,
)
from complaints.selectors import estates_visible_to
from complaints.services.evidence import CheckedFile, evidence_check
from complaints.services.intake import ComplaintInput
from residents.models import Building, Estate, Resident, Unit
from residents.selectors import residents_visible_to, units_visible_to
from staff.access import estate_ids_visible_to

# The service's keyword arguments; ``building`` only narrows the unit picker.
SERVICE_FIELDS = (
    "estate",
    "unit",
    "resident",
    "contact_name",
    "contact_phone",
    "channel",
    "category",
    "severity",
    "summary",
    "account",
    "desired_outcome",
    "mindset",
    "received_at",
    "incident",
)


class UnitChoiceField(NaturalOrderModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.label


class IntakeForm(OneTimeTokenForm):
    """Bound to POST data on submit, or to GET parameters when htmx redraws the unit picker."""

    estate = forms.ModelChoiceField(
        label=_("Estate"), queryset=Estate.objects.none(), to_field_name="code", empty_label="—"
    )
    building = NaturalOrderModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("— common area —"),
    )
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— common area —"),
    )
    resident = forms.ModelChoiceField(
        queryset=Resident.objects.none(), required=False, widget=forms.HiddenInput
    )
    contact_name = forms.CharField(
        label=_("Complainant's name"),
        max_length=100,
        required=False,
        help_text=_("For a walk-in or a caller who is not on file."),
    )
    contact_phone = forms.CharField(
        label=_("Call-back phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=labelled(Channel), initial=Channel.PHONE
    )
    category = forms.ChoiceField(label=_("Category"), widget=CategorySelect)
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("As the category suggests")), *labelled(Severity)],
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=200,
        required=False,
        help_text=_("Left empty, the start of the account."),
    )
    account = forms.CharField(
        label=_("The resident's own account"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In their words, in detail, so they never have to repeat it."),
    )
    desired_outcome = forms.ChoiceField(
        label=_("What the resident wants"),
        choices=labelled(DesiredOutcome),
        initial=DesiredOutcome.REPAIR,
    )
    mindset = forms.ChoiceField(
        label=_("The resident's mindset"),
        required=False,
        choices=[("", _("Not judged yet")), *labelled(Mindset)],
        initial="",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_(
            "Heard: listen without interrupting. Respected: take it seriously, apologise "
            "where we are at fault. Compensated: explain the rules, promise nothing on the spot."
        ),
    )
    received_at = LocalDateTimeField(
        label=_("Received at"),
        required=False,
        help_text=_("Only for a complaint received earlier (on paper, or while offline)."),
    )
    evidence = MultipleFileField(
        label=_("Evidence"),
        help_text=_("Photos (JPEG, PNG, GIF, WebP) or PDF; several at once."),
    )
    # Drawn by the incidents panel (``intake/_incidents.html``) as one radio button per open
    # incident over the chosen unit; the service checks that it may be linked.
    incident = forms.ModelChoiceField(
        label=_("Building-wide incident"), queryset=Incident.objects.none(), required=False
    )

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        estates = estates_visible_to(user)
        model_choice_field(self, "estate").queryset = estates
        choice_field(self, "category").choices = category_choices()
        model_choice_field(self, "resident").queryset = residents_visible_to(user)
        model_choice_field(self, "incident").queryset = Incident.objects.filter(estate__in=estates)
        estate = estates.filter(code=self._raw("estate")).first()
        if not self.is_bound and estate is None:
            # None given, or a link's estate the user does not cover: her only one, if one.
            self.initial.pop("estate", None)
            if len(estates) == 1:
                estate = estates[0]
                self.initial["estate"] = estate.code
        self.chosen_estate = estate
        # The chosen estate's most frequent categories first, or those of all the user's; each
        # estate's too, for the type-ahead to follow the estate as the desk changes it. The
        # ids a desk covers come with the user; only the superuser's are read.
        cast(CategorySelect, self.fields["category"].widget).option_data_source = lambda: (
            category_option_data(
                estate_ids_visible_to(user) or {each.pk for each in estates}, estate
            )
        )
        model_choice_field(self, "building").queryset = (
            Building.objects.filter(estate=estate) if estate else Building.objects.none()
        )
        building_id = self._raw("building")
        unit_id = self._raw("unit")
        if unit_id and not building_id and estate:
            # A unit chosen without its building (an API-style post): the unit names it.
            building_id = (
                units_visible_to(user)
                # A unit id that is not a number is None, which no unit's key equals.
                .filter(pk=_int(unit_id), building__estate=estate)  # type: ignore[misc]
                .values_list("building_id", flat=True)
                .first()
            )
            self._set_raw("building", building_id)
        model_choice_field(self, "unit").queryset = (
            units_visible_to(user).filter(building_id=building_pk, building__estate=estate)
            if estate and (building_pk := _int(building_id))
            else Unit.objects.none()
        )
        if estate:
            local_datetime_field(self, "received_at").zone = estate.zone
        location_url = reverse("complaints:new-location")
        for name in ("estate", "building", "unit"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": location_url,
                    "hx-trigger": "change",
                    "hx-target": "#location",
                    "hx-swap": "outerHTML",
                    "hx-include": "#location",
                }
            )

    def _raw(self, name: str):
        source = self.data if self.is_bound else self.initial
        value = source.get(name)
        return getattr(value, "pk", value) if name != "estate" else getattr(value, "code", value)

    def _set_raw(self, name: str, value) -> None:
        if self.is_bound:
            # A QueryDict from a request, or a dict: either copies into one to change.
            data = cast("QueryDict | dict[str, Any]", self.data).copy()
            data[name] = value or ""
            self.data = data
        else:
            self.initial[name] = value

    def clean_category(self) -> Category:
        category = Category.objects.filter(code=self.cleaned_data["category"], active=True).first()
        if category is None:
            raise ValidationError(_("Choose a category."))
        return category

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not data.get("summary") and data.get("account"):
            data["summary"] = summary_from_account(data["account"])
        return data

    def clean_evidence(self) -> list[CheckedFile]:
        """Every file checked before anything is written; each refusal names its file."""
        checked: list[CheckedFile] = []
        refusals: list[str] = []
        for upload in self.cleaned_data.get("evidence") or []:
            try:
                checked.append(evidence_check(upload))
            except ValidationError as exc:
                refusals += exc.messages
        if refusals:
            raise ValidationError(refusals)
        return checked

    @property
    def chosen_resident(self) -> Resident | None:
        resident_id = _int(self._raw("resident"))
        if not resident_id:
            return None
        residents = model_choice_field(self, "resident").queryset
        assert residents is not None  # chosen in ``__init__``
        return residents.filter(pk=resident_id).first()

    def complaint_input(self) -> ComplaintInput:
        data = self.cleaned_data
        values: dict[str, Any] = {name: data.get(name) for name in SERVICE_FIELDS}
        for blank_is_empty in ("contact_name", "contact_phone", "severity", "mindset"):
            values[blank_is_empty] = values[blank_is_empty] or ""
        return ComplaintInput(**values)

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's {field: [messages]} on the fields of this form."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, messages in errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


# A summary made from the account is at most this long, cut at a word where it can be.
SUMMARY_FROM_ACCOUNT = 60


def summary_from_account(account: str) -> str:
    """The account's first line, in short: the summary when the desk leaves it empty."""
    first = next((line for line in account.splitlines() if line.strip()), "")
    words = " ".join(first.split())
    if len(words) <= SUMMARY_FROM_ACCOUNT:
        return words
    cut = words[: SUMMARY_FROM_ACCOUNT - 1]
    if " " in cut[SUMMARY_FROM_ACCOUNT // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"


# The largest key a row can have (a 64-bit column): a larger number names nothing.
LARGEST_ID = 2**63 - 1


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= LARGEST_ID else None
