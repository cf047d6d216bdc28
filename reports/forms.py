"""Which week and which estate: the page, its exports and the API read the same two parameters."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from complaints.forms.fields import choice_field
from complaints.selectors import estates_visible_to
from reports.iso_weeks import IsoWeek, validate_iso_week


class WeeklyReportForm(forms.Form):
    week = forms.CharField(
        label=_("Week"),
        required=False,
        validators=[validate_iso_week],
        widget=forms.TextInput(attrs={"type": "week", "placeholder": "2026-W47"}),
        help_text=_("Monday to Sunday in each estate's time zone."),
    )
    estate = forms.ChoiceField(label=_("Estate"), required=False)

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        estates = list(estates_visible_to(user))
        self.zones = {estate.code: estate.time_zone for estate in estates}
        choice_field(self, "estate").choices = [("", _("All my estates"))] + [
            (estate.code, estate.name) for estate in estates
        ]
        # The browser's week picker offers no week after the current one.
        self.fields["week"].widget.attrs["max"] = str(IsoWeek.current(self.zones.values()))

    def clean(self) -> dict:
        super().clean()
        value = self.cleaned_data.get("week")
        if value and "estate" in self.cleaned_data and IsoWeek.parse(value) > self.current_week:
            self.add_error(
                "week",
                forms.ValidationError(
                    _("%(week)s has not begun yet: choose %(current)s or an earlier week."),
                    code="future",
                    params={"week": value.strip(), "current": self.current_week},
                ),
            )
        return self.cleaned_data

    @property
    def current_week(self) -> IsoWeek:
        """The week in progress on the clock of the chosen estate, or of any estate covered."""
        estate = self.cleaned_data.get("estate")
        return IsoWeek.current([self.zones[estate]] if estate else self.zones.values())

    @property
    def chosen_week(self) -> IsoWeek:
        """The chosen week, or the last full week in the desk's zone."""
        value = self.cleaned_data.get("week")
        return IsoWeek.parse(value) if value else IsoWeek.last_full()

    @property
    def chosen_estate(self) -> str | None:
        return self.cleaned_data.get("estate") or None
