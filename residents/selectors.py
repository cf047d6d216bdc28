"""Reads of residents and units, scoped to the estates the reader covers."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from residents.models import Building, Estate, Residency, Resident, Unit
from residents.naming import natural_key, natural_order
from residents.phones import normalise_phone
from residents.unit_words import (
    plain,
    readings_match,
    unit_readings,
    without_format_characters,
)
from staff.access import estate_ids_visible_to, residents_readable_by

# ``3号楼2单元-1201`` (the label as the desk reads it out) or ``3号楼-1201``.
_LABEL = re.compile(r"^(?P<building>.+?)(?:(?P<entrance>[0-9A-Za-z]+)单元)?\s*-\s*(?P<room>\S+)$")
MIN_PHONE_DIGITS = 4
# Past this many, the ids a search reads first stay a subquery: so common a match is found as
# fast without them.
IDS_LISTED_MAX = 500
# What a caller says of who they are fits in this many characters: the look-ups read no more.
LOOKUP_TEXT_MAX = 50
_INITIALS = re.compile(r"^[A-Za-z]{2,10}$")


def any_of(model: type[Model], ways: list[Q]) -> Q:
    """The rows of ``model`` that any of ``ways`` matches, each way its own SELECT of ids joined
    by UNION ALL (one way stands as it is).

    Written as one OR, a way that is a subquery (the units of the buildings whose name holds
    ``q``) cannot be answered from an index, so PostgreSQL reads the whole table and tests each
    row against it (the look-up of ``32801`` at 100,000 units: a scan of every unit); as a union,
    each way takes its own index."""
    if not ways:
        return Q(pk__in=[])
    if len(ways) == 1:
        return ways[0]
    selects = [model._default_manager.filter(way).order_by().values("pk") for way in ways]
    return Q(pk__in=selects[0].union(*selects[1:], all=True))


def ids_listed(queryset: QuerySet, field: str) -> Q | None:
    """``field`` among the ids ``queryset`` reads: read first and listed when few, so that the
    planner knows how few they are (as a subquery, the units a caller's words name are
    estimated by the hundred where there are eight, and every residency is read to find their
    residents); a subquery when many; None when none."""
    ids = queryset.order_by().values_list("id", flat=True)
    listed = list(ids[: IDS_LISTED_MAX + 1])
    if len(listed) > IDS_LISTED_MAX:
        return Q(**{f"{field}__in": ids})
    return Q(**{f"{field}__in": listed}) if listed else None


def _label_ways(q: str) -> list[Q]:
    if match := _LABEL.match(q):
        label = Q(room__iexact=match["room"]) & Q(building__name__icontains=match["building"])
        if match["entrance"]:
            label &= Q(entrance__iexact=match["entrance"])
        return [label]
    # The room as a whole (rooms are numbered: ``801`` is not part of ``1801``), or a unit of a
    # building whose name holds ``q``. The buildings come as a subquery of their own small
    # table rather than a join, so the units are read by their building's index, not each
    # joined to its building and matched by ``LIKE`` (docs/benchmarks.md).
    return [
        Q(room__iexact=q),
        Q(building__in=Building.objects.filter(name__icontains=q).values("pk")),
    ]


def _building_named(q: str) -> Q:
    return Q(building__name__icontains=q) if q else Q(pk__in=[])


def unit_match(q: str) -> Q:
    """Units matching what was typed: a unit as callers say it (``3-2-801``, ``3栋2单元801``),
    the label as the desk reads it out, a room number or a building's name."""
    q = plain(q)
    if not q:
        return Q(pk__in=[])
    readings = unit_readings(q)
    ways = [readings_match(readings)] if readings else []
    if not _names_only_a_unit(q, readings):
        ways += _label_ways(q)
    return any_of(Unit, ways)


def _names_only_a_unit(said: str, readings: list) -> bool:
    """Whether words read as a unit name that unit only (the label as the desk reads it out is
    one such reading): looking for them as a room or a building's name as well would only cost
    a scan of the units. Digits alone may still be a room (``1201``), whatever else they read
    as."""
    return bool(readings) and not said.isdigit()


def units_lookup(
    *,
    user: User | AnonymousUser,
    q: str,
    building_id: int | None = None,
    estate_id: int | None = None,
    estate_only: bool = False,
    limit: int = 8,
) -> list[Unit]:
    """The units ``q`` names, best first: those read exactly from the caller's words (the
    chosen estate's first), then the room in the chosen building, then the room elsewhere,
    then partial matches. ``estate_only``: the chosen estate's units alone."""
    units = units_visible_to(user)
    if estate_only:
        units = units.filter(building__estate_id=estate_id) if estate_id else units.none()
    readings = unit_readings(q)
    named = sorted(
        natural_order(
            units.filter(readings_match(readings))[:limit] if readings else [],
            lambda unit: f"{unit.building.estate.code} {unit.label}",
        ),
        key=lambda unit: unit.building.estate_id != estate_id,
    )
    room = plain(q).casefold()
    if _names_only_a_unit(room, readings):
        return named
    rank = Case(
        When(Q(room__iexact=room, building_id=building_id or 0), then=Value(0)),
        When(Q(room__iexact=room, building__estate_id=estate_id or 0), then=Value(1)),
        When(room__iexact=room, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    # Rooms are numbered: words without a digit can only name a building.
    if any(c.isdigit() for c in room):
        partial = any_of(Unit, _label_ways(room))
    else:
        partial = _building_named(room)
    others = (
        units.filter(partial)
        .exclude(pk__in=[unit.pk for unit in named])
        .annotate(rank=rank)
        .order_by("rank", "building__estate__code", "building__name", "entrance", "room")
    )

    def order(unit: Unit) -> tuple:
        # The database's rank again, then the names read naturally ("2号楼" before "10号楼").
        here = unit.room.casefold() == room
        if here and unit.building_id == building_id:
            rank = 0
        elif here:
            rank = 1 if unit.building.estate_id == estate_id else 2
        else:
            rank = 3
        return rank, natural_key(f"{unit.building.estate.code} {unit.label}")

    return named + sorted(others[: max(limit - len(named), 0)], key=order)


def phone_digits(q: str) -> str:
    """The digits of a typed phone number, when the text is one (at least four digits)."""
    stripped = re.sub(r"[\s\-+()]", "", q or "")
    if len(stripped) < MIN_PHONE_DIGITS or not stripped.isdigit():
        return ""
    return normalise_phone(q)


def estates_visible_to(user: User | AnonymousUser) -> QuerySet[Estate]:
    estate_ids = estate_ids_visible_to(user)
    if estate_ids is None:
        return Estate.objects.all()
    if not estate_ids:
        return Estate.objects.none()
    return Estate.objects.filter(pk__in=sorted(estate_ids))


def units_visible_to(user: User | AnonymousUser) -> QuerySet[Unit]:
    return Unit.objects.filter(building__estate__in=estates_visible_to(user)).select_related(
        "building__estate"
    )


def buildings_visible_to(user: User | AnonymousUser) -> QuerySet[Building]:
    return Building.objects.filter(estate__in=estates_visible_to(user)).select_related("estate")


def residents_visible_to(user: User | AnonymousUser) -> QuerySet[Resident]:
    """Residents living in a unit of an estate the user covers, for the front desk and up."""
    if not residents_readable_by(user):
        return Resident.objects.none()
    units = Unit.objects.filter(building__estate__in=estates_visible_to(user))
    return Resident.objects.filter(pk__in=units.values("residencies__resident"))


def with_visible_units(
    residents: QuerySet[Resident], *, user: User | AnonymousUser
) -> QuerySet[Resident]:
    """``residents``, each with ``visible_units``: its units in the estates ``user`` covers.

    A resident may live in several estates; a reader sees only the units of their own.
    """
    # ``Resident`` declares the attribute (the pages set it too), which the stubs' plugin
    # reads as this prefetch declaring it a second time.
    units = Prefetch("units", queryset=units_visible_to(user), to_attr="visible_units")
    return residents.prefetch_related(units)  # type: ignore[no-redef]


def resident_lives_in(*, resident: Resident, estate: Estate) -> bool:
    """Whether ``resident`` has (or had) a unit in ``estate``."""
    return resident.residencies.filter(unit__building__estate=estate).exists()


def resident_search(
    *, user: User | AnonymousUser, q: str = "", estate_id: int | None = None
) -> QuerySet[Resident]:
    """By name, the initials of its pinyin (``cxm``), phone (any part of four digits or more)
    or unit, within the user's estates. The residents of the unit the caller named come first,
    then those of the estate chosen (``estate_id``), each group by name."""
    residents = residents_visible_to(user)
    q = without_format_characters(q).strip()
    if not residents_readable_by(user):
        return residents
    first: list = []
    if q and (readings := unit_readings(plain(q))):
        named_exactly = units_visible_to(user).filter(readings_match(readings))
        first.append(_lives_in(named_exactly))
    if q and estate_id:
        first.append(_lives_in(Unit.objects.filter(building__estate_id=estate_id)))
    if q:
        own = Q(name__icontains=q)
        if _INITIALS.match(q):
            own |= Q(initials__startswith=q.lower())
        # Full-width digits (６１１３) read as the phone's own.
        said = plain(q)
        if digits := phone_digits(said):
            own |= Q(phone__contains=digits[-11:])
        # Rooms are numbered: words without a digit can only name a building. Digits alone
        # (a phone's, most often) name a unit as a whole room number, not a part of one.
        if digits:
            named = readings_match(unit_readings(said)) | Q(room__iexact=said)
        elif any(c.isdigit() for c in said):
            named = unit_match(q)
        else:
            named = _building_named(said)
        # The residents of the user's units are visible already: only her own words need the
        # scope, so the residents found by a room are not each probed for it again.
        ways = [own & Q(pk__in=residents.values("pk"))]
        if units := ids_listed(units_visible_to(user).filter(named), "unit_id"):
            ways.append(Q(pk__in=Residency.objects.filter(units).values("resident")))
        residents = Resident.objects.filter(any_of(Resident, ways))
    return residents.order_by(*(condition.desc() for condition in first), "name", "id")


def _lives_in(units: QuerySet[Unit]) -> Exists:
    """Whether the resident lives in one of ``units``: a probe of the few residents found."""
    return Exists(Residency.objects.filter(resident=OuterRef("pk"), unit__in=units.values("pk")))


def resident_get(*, user: User | AnonymousUser, resident_id: int) -> Resident:
    resident = residents_visible_to(user).filter(pk=resident_id).first()
    if resident is None:
        raise Http404("No resident with that id.")
    return resident


def resident_units(*, user: User | AnonymousUser, resident: Resident) -> QuerySet[Unit]:
    """The resident's units in the estates the user covers."""
    return units_visible_to(user).filter(residencies__resident=resident).distinct()
