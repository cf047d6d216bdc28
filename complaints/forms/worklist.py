"""The worklist's filters: the API's (stage, category, severity, estate, overdue, escalated, q,
the received dates or period) plus building, assigned to me and my department, and the sort
order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from complaints.configuration_cache import ConfigurationCache
from complaints.forms.fields import FlagField, choice_field, labelled
from complaints.forms.received import ReceivedFilterForm
from complaints.listing import count_link
from complaints.models import Category, Severity, Stage
from complaints.search import Q_MAX
from complaints.selectors import estates_visible_to
from residents.models import Building, Estate
from residents.naming import natural_order
from staff.roles import staff_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SORTS = {
    "-received": _("Newest first"),
    "received": _("Oldest first"),
    "severity": _("Most severe first"),
    "deadline": _("Next deadline first"),
    "-escalation": _("Highest escalation first"),
}
FLAGS = ("overdue", "escalated", "mine", "my_department")
GROUPINGS = {"": _("No grouping"), "incident": _("By building-wide incident")}


# Every category and building, kept in the process while none is saved (the worklist reads
# them on every request; they change a few times a year).
_lists = ConfigurationCache("worklist_lists", sources=(Category, Building, Estate))


def worklist_lists_forget() -> None:
    """Read the categories and buildings afresh next time (after a change made without
    signals, as the demo's bulk insert of buildings)."""
    _lists.clear()


def _categories() -> dict[int, Category]:
    """Every category by id, each sub-category with its parent set (for its path)."""
    categories = {c.pk: c for c in Category.objects.order_by("code")}
    for category in categories.values():
        if category.parent_id in categories:
            category.parent = categories[category.parent_id]
    return categories


def _buildings() -> list[Building]:
    """Every building, in the order its select lists them: by name, read naturally."""
    return natural_order(Building.objects.select_related("estate"), lambda b: b.name)


def _flag(label) -> FlagField:
    return FlagField(label=label)


class WorklistFilterForm(ReceivedFilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=Q_MAX,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_(
            "Reference or part of it, any four digits of a phone, unit (3-2-801), resident's "
            "name or words of the summary"
        ),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    estate = forms.ChoiceField(label=_("Estate"), required=False)
    building = forms.TypedChoiceField(label=_("Building"), required=False, coerce=int)
    overdue = _flag(_("Overdue"))
    escalated = _flag(_("Escalated"))
    mine = _flag(_("Assigned to me"))
    my_department = _flag(_("My department"))
    sort = forms.ChoiceField(label=_("Sort"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False, choices=list(GROUPINGS.items()))
    # The weekly summary links a count to the complaints behind it: ?week=2026-W47&figure=closed
    week = forms.CharField(label=_("Week"), required=False, widget=forms.HiddenInput)
    figure = forms.ChoiceField(label=_("Figure"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        every: list[tuple[str, StrOrPromise]] = [("", _("all"))]
        choice_field(self, "stage").choices = every + labelled(Stage)
        choice_field(self, "severity").choices = every + labelled(Severity)
        # Every category and the reader's estates, by id: the worklist's rows take theirs from
        # here instead of joining two more tables into the page's query.
        self.categories = _lists.get("categories", _categories)
        choice_field(self, "category").choices = every + [
            (c.code, c.name) for c in self.categories.values() if c.parent_id is None
        ]
        estates = list(estates_visible_to(user))
        self.estates = {e.pk: e for e in estates}
        choice_field(self, "estate").choices = every + [(e.code, e.name) for e in estates]
        buildings: dict[str, list] = {}
        for building in _lists.get("buildings", _buildings):
            if building.estate_id in self.estates:
                buildings.setdefault(building.estate.name, []).append((building.pk, building.name))
        choice_field(self, "building").choices = every + list(buildings.items())
        choice_field(self, "sort").choices = list(SORTS.items())
        self.count_link = count_link()
        if self.count_link is not None:
            choice_field(self, "figure").choices = [("", ""), *self.count_link.labels.items()]
            self.fields["week"].validators.append(self.count_link.validate_week)
        staff = staff_of(user)
        # The id is enough to filter by; reading the department would cost a query.
        self.department_id = staff.department_id if staff else None
        if self.department_id is None:
            del self.fields["my_department"]

    def report_filter(self) -> dict | None:
        """The weekly summary's count this list stands for (figure label and week), if any."""
        self.is_valid()
        data = self.cleaned_data
        if not (data.get("week") and data.get("figure")) or self.count_link is None:
            return None
        return {"figure": self.count_link.labels[data["figure"]], "week": data["week"]}

    def filters(self) -> dict:
        """Valid filters for ``selectors.complaint_list``; an invalid one is dropped, not fatal
        (the exports refuse it instead: ``views.worklist.filters_refused``)."""
        self.is_valid()
        data = self.cleaned_data
        filters = {
            key: data.get(key)
            for key in ("q", "stage", "category", "severity", "estate", "building")
            if data.get(key) not in (None, "")
        }
        if data.get("week") and data.get("figure"):
            filters.update(week=data["week"], figure=data["figure"])
        filters["overdue"] = bool(data.get("overdue"))
        filters["escalated"] = bool(data.get("escalated"))
        if data.get("mine"):
            filters["assignee_id"] = self.user.pk
        if data.get("my_department") and self.department_id is not None:
            filters["department_id"] = self.department_id
        if received := self.received_filters():
            # The estates' zones, read already: the selector need not read them again.
            filters.update(
                received, estate_zones=[(e.pk, e.time_zone) for e in self.estates.values()]
            )
        return filters

    @property
    def sort_order(self) -> str:
        value = self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else None
        return value if value in SORTS else "-received"

    @property
    def grouping(self) -> str:
        """How the page groups its rows: "" (not at all) or "incident"."""
        value = self.cleaned_data.get("group") if hasattr(self, "cleaned_data") else None
        return value if value in GROUPINGS else ""

    @property
    def active_count(self) -> int:
        return sum(
            1 for key, value in self.filters().items() if value and key not in ("q", "estate_zones")
        )
