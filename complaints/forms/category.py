"""The category picker: a plain select that the desk's script turns into a type-ahead.

Each option carries what the type-ahead matches and shows: the category's code, the pinyin
initials of its Chinese name (``sl`` for 渗漏), its suggested severity, and its rank among the
estate's most frequent categories. Without JavaScript the select works as it is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Complaint, Severity
from residents.models import Estate
from residents.names import name_initials

# How many of the estate's latest complaints say which categories are its most frequent, and
# how many of those the type-ahead offers first.
FREQUENCY_SAMPLE = 500
FREQUENT_SHOWN = 8


def category_choices() -> list:
    """Top-level categories as groups, each offering itself (general) and its sub-types."""
    categories = list(Category.objects.filter(active=True).order_by("code"))
    children = defaultdict(list)
    for category in categories:
        if category.parent_id:
            children[category.parent_id].append(category)
    choices: list = [("", "—")]
    for top in (c for c in categories if not c.parent_id):
        options = [(top.code, _("%(name)s (general)") % {"name": top.name})]
        options += [(child.code, child.name) for child in children[top.pk]]
        choices.append((top.name, options))
    return choices


def frequent_category_codes(estates: QuerySet[Estate] | Iterable[Estate]) -> list[str]:
    """The codes of the categories most often chosen in the latest complaints of ``estates``,
    most frequent first: what the desk of those estates is likely to type next."""
    latest = (
        Complaint.objects.filter(estate__in=estates)
        .order_by("-received_at")
        .values_list("category__code", flat=True)[:FREQUENCY_SAMPLE]
    )
    return [code for code, _count in Counter(latest).most_common(FREQUENT_SHOWN)]


class CategorySelect(forms.Select):
    """A select whose options say what the type-ahead needs to match and show them."""

    def __init__(self, attrs=None) -> None:
        super().__init__(
            attrs={
                "data-typeahead": "",
                "data-placeholder": _("Code, name or initials"),
                "data-suggested": _("suggested severity: %(severity)s"),
                "data-no-match": _("No category matches. Try its code or its initials."),
                **(attrs or {}),
            }
        )
        # Read when the select is drawn, not when the form is made: the intake's htmx partials
        # build the form without drawing its category.
        self.option_data_source: Callable[[], dict[str, dict[str, str]]] = dict
        self.option_data: dict[str, dict[str, str]] = {}

    def get_context(self, name, value, attrs):
        self.option_data = self.option_data_source()
        return super().get_context(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


def category_option_data(estates: QuerySet[Estate] | Iterable[Estate]) -> dict[str, dict]:
    """For each active category's code, the data attributes of its option."""
    categories = Category.objects.filter(active=True).select_related("parent")
    rank = {code: str(n) for n, code in enumerate(frequent_category_codes(estates), start=1)}
    severities = dict(Severity.choices)
    data: dict[str, dict] = {}
    for category in categories:
        severity = category.default_severity or Severity.NORMAL
        data[category.code] = {
            "data-initials": " ".join(
                name_initials(name) for name in (category.name_zh, category.name_en)
            ),
            "data-severity": str(severities.get(severity, severity)),
            "data-group": category.parent.name if category.parent else "",
        }
        if category.code in rank:
            data[category.code]["data-rank"] = rank[category.code]
    return data
