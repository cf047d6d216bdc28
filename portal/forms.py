"""The residents' forms: the look-up by reference and phone, and the one-question rating."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaints.models import Complaint, Satisfaction
from complaints.services.ratings import COMMENT_MAX

REFERENCE_MAX = Complaint._meta.get_field("reference").max_length
_REFERENCE = re.compile(r"^[A-Z0-9-]+$")
_FOUR_DIGITS = re.compile(r"^[0-9]{4}$")


def bounded(data, limit: int = 200) -> dict:
    """The posted fields, each cut to ``limit`` characters: a form shown again with its errors
    never echoes a huge value back."""
    return {key: str(value)[:limit] for key, value in data.items()}


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Complaint reference"),
        max_length=REFERENCE_MAX,
        help_text=_("As in our text message or on your receipt, e.g. TS-HY-261127-0001."),
        error_messages={
            "required": _("Enter the reference of your complaint."),
            "max_length": _("A reference is at most %(limit_value)d characters."),
        },
    )
    phone_last4 = forms.CharField(
        label=_("Last 4 digits of your phone number"),
        max_length=4,
        min_length=4,
        error_messages={
            "required": _("Enter the last 4 digits of the phone number you gave us."),
            "max_length": _("Enter exactly 4 digits."),
            "min_length": _("Enter exactly 4 digits."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        )
        self.fields["phone_last4"].widget.attrs.update(
            {"inputmode": "numeric", "pattern": "[0-9]{4}", "autocomplete": "off"}
        )

    def clean_reference(self) -> str:
        reference = unicodedata.normalize("NFKC", self.cleaned_data["reference"]).strip().upper()
        if not _REFERENCE.match(reference):
            raise forms.ValidationError(
                _("A reference has only letters, digits and dashes."), code="invalid"
            )
        return reference

    def clean_phone_last4(self) -> str:
        # Full-width digits, as Chinese input methods type them, read as digits.
        digits = unicodedata.normalize("NFKC", self.cleaned_data["phone_last4"]).strip()
        if not _FOUR_DIGITS.match(digits):
            raise forms.ValidationError(_("Enter exactly 4 digits."), code="invalid")
        return digits


RATING_CHOICES = [
    (Satisfaction.SATISFIED.value, pgettext_lazy("rating", "Satisfied")),
    (Satisfaction.FAIRLY.value, pgettext_lazy("rating", "Fairly satisfied")),
    (Satisfaction.UNSATISFIED.value, pgettext_lazy("rating", "Unsatisfied")),
]


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with how we handled your complaint?"),
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the answers offered."),
            "invalid_choice": _("Choose one of the answers offered."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _("Keep the comment under %(limit_value)d characters."),
        },
    )
