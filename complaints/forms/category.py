"""The category picker: a plain select that the desk's script turns into a type-ahead.

Each option carries what the type-ahead matches and shows: the category's code, the pinyin
initials of its Chinese name (``sl`` for 渗漏), its suggested severity, and its rank among the
estate's most frequent categories. Without JavaScript the select works as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

from django import forms
from django.db.models import Count, DateTimeField, Max, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Complaint, Severity
from residents.models import Estate
from residents.names import name_initials

# How many of the estate's latest complaints say which categories are its most frequent, and
# how many of those the type-ahead offers first.
FREQUENCY_SAMPLE = 500
FREQUENT_SHOWN = 8
# Before any complaint: the start of the sample of an estate with fewer than FREQUENCY_SAMPLE.
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)

# How often a category was chosen in a sample, and when last.
Frequency = tuple[int, dt.datetime]


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


def category_frequencies(estate_ids: Iterable[int]) -> dict[str, dict[int, Frequency]]:
    """For each of the estates (by code), how often each category (by id) was chosen in the
    estate's latest ``FREQUENCY_SAMPLE`` complaints, with when it was chosen last; an estate
    without complaints is left out.

    One query for any number of estates: each estate's sample starts at the time of its
    ``FREQUENCY_SAMPLE``th latest complaint, read from its index by a subquery of its own."""
    window = Q(pk__in=[])
    for estate_id in sorted(estate_ids):
        sample_start = (
            Complaint.objects.filter(estate_id=estate_id)
            .order_by("-received_at")
            .values("received_at")[FREQUENCY_SAMPLE - 1 : FREQUENCY_SAMPLE]
        )
        # An estate with fewer complaints has no such time: all of them are its sample.
        since = Coalesce(Subquery(sample_start), Value(EARLIEST), output_field=DateTimeField())
        window |= Q(estate_id=estate_id, received_at__gte=since)
    counts = (
        Complaint.objects.filter(window)
        .order_by()
        .values_list("estate__code", "category_id")
        .annotate(times=Count("pk"), last=Max("received_at"))
    )
    frequencies: dict[str, dict[int, Frequency]] = defaultdict(dict)
    for estate_code, category_id, times, last in counts:
        frequencies[estate_code][category_id] = (times, last)
    return frequencies


def most_frequent_first(frequencies: dict[int, Frequency]) -> list[int]:
    """The ``FREQUENT_SHOWN`` most frequent of ``frequencies``' categories, most frequent
    first; of two as frequent, the one chosen last (then the older category)."""
    ordered = sorted(frequencies, key=lambda pk: (*frequencies[pk], -pk), reverse=True)
    return ordered[:FREQUENT_SHOWN]


def frequencies_together(per_estate: Iterable[dict[int, Frequency]]) -> dict[int, Frequency]:
    """The frequencies of several estates' samples taken together."""
    together: dict[int, Frequency] = {}
    for frequencies in per_estate:
        for category_id, (times, last) in frequencies.items():
            before = together.get(category_id, (0, last))
            together[category_id] = (before[0] + times, max(before[1], last))
    return together


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


def category_option_data(
    estate_ids: Collection[int], chosen: Estate | None = None
) -> dict[str, dict[str, str]]:
    """For each active category's code, the data attributes of its option.

    ``data-rank`` orders the most frequent first as the form is drawn: those of the ``chosen``
    estate, or of all the desk's estates (``estate_ids``) together when none is chosen. A desk
    of several estates also gets each estate's ranks (``data-estate-ranks="HY:1 CH:3"``), so
    that the type-ahead can follow the estate of the form when the desk changes it."""
    categories = Category.objects.filter(active=True).select_related("parent")
    frequencies = category_frequencies(estate_ids)
    ranks = {code: _ranks(frequencies[code]) for code in sorted(frequencies)}
    drawn = (
        ranks.get(chosen.code, {})
        if chosen is not None
        else _ranks(frequencies_together(frequencies.values()))
    )
    several = len(estate_ids) > 1
    severities = dict(Severity.choices)
    data: dict[str, dict[str, str]] = {}
    for category in categories:
        severity = category.default_severity or Severity.NORMAL
        option = data[category.code] = {
            "data-initials": " ".join(
                name_initials(name) for name in (category.name_zh, category.name_en)
            ),
            "data-severity": str(severities.get(severity, severity)),
            "data-group": category.parent.name if category.parent else "",
        }
        if category.pk in drawn:
            option["data-rank"] = str(drawn[category.pk])
        if several:
            option["data-estate-ranks"] = " ".join(
                f"{code}:{rank[category.pk]}" for code, rank in ranks.items() if category.pk in rank
            )
    return data


def _ranks(frequencies: dict[int, Frequency]) -> dict[int, int]:
    return {pk: n for n, pk in enumerate(most_frequent_first(frequencies), start=1)}
