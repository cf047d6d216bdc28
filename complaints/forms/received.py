"""The received-date filter's fields, declared once: the worklist's form takes them, and the
API list reads its query with this form, so both take the same names and refuse the same input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.received import PERIODS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReceivedFilterForm(forms.Form):
    # The page lists on with what it can use and says what it left out; the API refuses the
    # request, and says so instead.
    reversed_message = _("The end date is before the start date; neither date is used.")
    both_message = _("Choose a period or dates, not both; the dates are used.")

    period = forms.ChoiceField(
        label=_("Received on"),
        required=False,
        choices=[("", _("Any day")), *PERIODS.items()],
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, input_formats=["%Y-%m-%d"], widget=DATE_INPUT
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, input_formats=["%Y-%m-%d"], widget=DATE_INPUT
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("received_from"), data.get("received_to")
        if first and last and first > last:
            # Neither date alone is what was asked for: both are left out.
            del data["received_from"]
            self.add_error("received_to", self.reversed_message)
        elif data.get("period") and (first or last):
            del data["period"]
            self.add_error("period", self.both_message)
        return data

    def received_filters(self) -> dict:
        """The valid received-date filters for ``selectors.complaint_list``."""
        self.is_valid()
        data = self.cleaned_data
        return {
            key: data[key]
            for key in ("period", "received_from", "received_to")
            if data.get(key) not in (None, "")
        }
