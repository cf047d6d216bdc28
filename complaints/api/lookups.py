"""The look-ups an intake client makes before it logs a complaint: the reader's estates, their
units, the categories and the residents, each found as the intake page's look-up finds it."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from complaints import selectors
from complaints.api import serializers as s
from complaints.models import Category
from residents.models import Resident, Unit
from residents.phones import normalise_phone
from residents.selectors import (
    LOOKUP_TEXT_MAX,
    MIN_PHONE_DIGITS,
    resident_search,
    residents_visible_to,
    units_lookup,
    with_visible_units,
)
from residents.unit_words import plain


class EstateList(generics.ListAPIView):
    serializer_class = s.EstateSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.estates_visible_to(self.request.user)


# A list to pick from, not to page through: past this, the caller types more.
UNITS_MAX = 100
RESIDENTS_MAX = 50


def _lookup_text(params: QueryDict) -> str:
    """``q`` of a look-up; ValidationError (400) past what the intake page's look-up reads."""
    q = params.get("q", "").strip()
    if len(q) > LOOKUP_TEXT_MAX:
        raise ValidationError(
            {"q": [_("Search for at most %(max)d characters.") % {"max": LOOKUP_TEXT_MAX}]}
        )
    return q


def _phone_end(params: QueryDict) -> str:
    """The digits of ``phone``; ValidationError (400) for fewer than the look-ups take, which
    against the masked numbers of the answer would spell out the hidden digits one by one."""
    said = params.get("phone", "")
    phone = normalise_phone(plain(said))
    if said.strip() and len(phone) < MIN_PHONE_DIGITS:
        message = _("Enter at least %(count)d digits of the phone.") % {"count": MIN_PHONE_DIGITS}
        raise ValidationError({"phone": [message]})
    return phone


@extend_schema(
    parameters=[
        OpenApiParameter("estate", str, description="An estate's code: its units only."),
        OpenApiParameter(
            "q",
            str,
            description="A unit as callers say it (`3号楼2单元801`, `3-2-801`, `32801`, "
            "full-width digits too), a room number or a building's name, as the intake page's "
            "look-up reads it: the units named exactly first. Without it, every unit.",
        ),
    ]
)
class UnitList(generics.ListAPIView):
    serializer_class = s.UnitSerializer
    pagination_class = None

    def get_queryset(self):
        params = self.request.query_params
        q = _lookup_text(params)
        estates = selectors.estates_visible_to(self.request.user)
        if code := params.get("estate"):
            estates = estates.filter(code=code)
        if not q:
            return (
                Unit.objects.filter(building__estate__in=estates)
                .select_related("building__estate")
                .order_by("building__name", "entrance", "room")[:UNITS_MAX]
            )
        estate_id = estates.values_list("pk", flat=True).first() if code else None
        if code and estate_id is None:
            return []
        return units_lookup(
            user=self.request.user,
            q=q,
            estate_id=estate_id,
            estate_only=bool(code),
            limit=UNITS_MAX,
        )


class CategoryList(generics.ListAPIView):
    serializer_class = s.CategorySerializer
    pagination_class = None
    queryset = Category.objects.filter(active=True).select_related("parent").order_by("code")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "phone",
            str,
            description="The end of the resident's number, four digits or more "
            "(`13812345678`, `5678`).",
        ),
        OpenApiParameter(
            "q",
            str,
            description="A name or part of it, its pinyin initials (`cxm` for 陈小明), any part "
            "of a phone of four digits or more, or a unit as callers say it (`3-2-801`), as the "
            "intake page's look-up reads it: the residents of the unit named exactly first. "
            "With `phone`, both must match.",
        ),
    ]
)
class ResidentList(generics.ListAPIView):
    serializer_class = s.ResidentSerializer
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        params = self.request.query_params
        phone = _phone_end(params)
        q = _lookup_text(params)
        if not phone and not q:
            return Resident.objects.none()
        if q:
            residents = resident_search(user=user, q=q)
        else:
            residents = residents_visible_to(user).order_by("name", "id")
        if phone:
            residents = residents.filter(phone__endswith=phone[-11:])
        # Each with only the units of estates the reader covers: a resident of two estates
        # shows the other estate's address to nobody who does not cover it.
        return with_visible_units(residents, user=user)[:RESIDENTS_MAX]
