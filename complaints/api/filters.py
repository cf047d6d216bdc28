"""The complaint list's query filters as the schema documents them, read with a form that takes
the worklist's names with the worklist's meaning (``complaints.forms.worklist``, whose
received-date fields it shares), and bad input refused with a 400 that names the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError as FormValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from complaints.forms.fields import FlagField, choice_field
from complaints.forms.received import ReceivedFilterForm
from complaints.listing import count_link
from complaints.received import PERIODS
from complaints.search import Q_MAX
from staff.roles import staff_of

COMPLAINT_FILTERS = [
    OpenApiParameter(name, str) for name in ("stage", "category", "severity", "estate")
] + [
    OpenApiParameter(
        "building",
        int,
        description="A building's id: the complaints about its units. A building of an estate "
        "the reader does not cover finds nothing.",
    ),
    OpenApiParameter(
        "q",
        str,
        description="A reference or part of it (`261207-0003`, `HY-261207`), any four digits "
        "or more of the contact's or the resident's phone, a unit as callers say it "
        "(`3号楼2单元801`, `3-2-801`, `32801`), the resident's or contact's name, or words "
        "of the summary.",
    ),
    OpenApiParameter("overdue", bool, description="Owing a deadline already past; not closed."),
    OpenApiParameter("escalated", bool, description="Escalated at least once (level 1 or up)."),
    OpenApiParameter("mine", bool, description="Assigned to the reader."),
    OpenApiParameter(
        "my_department",
        bool,
        description="Handled by the reader's department; ignored for a reader without one.",
    ),
    OpenApiParameter(
        "week",
        str,
        description="With `figure`: an ISO week (`2026-W47`) of the weekly summary.",
    ),
    OpenApiParameter(
        "figure",
        str,
        description="With `week`: the complaints behind one count of that week's summary "
        "(`received`, `closed`, `open_at_end`, `escalated`, `overdue_at_end`, …), by the "
        "summary's own definition.",
    ),
    OpenApiParameter(
        "received_from",
        OpenApiTypes.DATE,
        description="Received on this day or later, in each estate's time zone.",
    ),
    OpenApiParameter(
        "received_to",
        OpenApiTypes.DATE,
        description="Received on this day or earlier, in each estate's time zone; not before "
        "`received_from`.",
    ),
    OpenApiParameter(
        "period",
        str,
        enum=list(PERIODS),
        description="Received today, yesterday, this week or last week (Monday to Sunday), in "
        "each estate's time zone; not with `received_from` or `received_to`.",
    ),
    OpenApiParameter("page", int),
]


class ComplaintListFilterForm(ReceivedFilterForm):
    """The worklist's filters as the API reads them. The building is any id, not one of a list
    offered: a building the reader does not cover finds nothing, as its complaints are not
    theirs to see."""

    reversed_message = gettext_lazy("The end date is before the start date.")
    both_message = gettext_lazy("Choose a period or dates, not both.")

    q = forms.CharField(required=False, strip=False)
    # Past a 64-bit id, or not a whole number, ``config.middleware`` has refused it already.
    building = forms.IntegerField(required=False, min_value=0)
    overdue = FlagField()
    escalated = FlagField()
    mine = FlagField()
    my_department = FlagField()
    week = forms.CharField(required=False)
    figure = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        link = count_link()
        if link is not None:
            choice_field(self, "figure").choices = [("", ""), *link.labels.items()]
            self.fields["week"].validators.append(link.validate_week)

    def clean_q(self) -> str:
        q = self.cleaned_data.get("q") or ""
        if len(q) > Q_MAX:
            raise FormValidationError(
                _("Search for at most %(max)d characters.") % {"max": Q_MAX}, code="max_length"
            )
        return q

    def clean(self) -> dict:
        data = super().clean()
        week, figure = self.data.get("week"), self.data.get("figure")
        # A count is of one week: either alone would list more than was asked for.
        if bool(week) != bool(figure):
            self.add_error(
                "figure" if week else "week", _("Give both week and figure, or neither.")
            )
        return data


def complaint_filters(params: QueryDict, *, user: User | AnonymousUser) -> dict:
    """``params`` as ``selectors.complaint_list`` takes them, meaning what the worklist's
    filters mean; ValidationError (400) naming each field that is not one."""
    form = ComplaintListFilterForm(params)
    if not form.is_valid():
        raise ValidationError(
            {field: [str(error) for error in errors] for field, errors in form.errors.items()}
        )
    data = form.cleaned_data
    filters: dict[str, Any] = {
        key: params.get(key) for key in ("stage", "category", "severity", "estate")
    }
    filters.update(
        q=data["q"],
        overdue=data["overdue"],
        escalated=data["escalated"],
        **form.received_filters(),
    )
    if data["building"] is not None:
        filters["building"] = data["building"]
    if data["week"] and data["figure"]:
        filters.update(week=data["week"], figure=data["figure"])
    if data["mine"]:
        filters["assignee_id"] = user.pk
    if data["my_department"] and (staff := staff_of(user)) and staff.department_id:
        filters["department_id"] = staff.department_id
    return filters
