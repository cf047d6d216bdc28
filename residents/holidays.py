"""Holiday calendars: where an estate's public holidays are kept, loading a year's statutory
ones, and which calendars still lack next year's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from residents.models import CalendarDay, Estate, HolidayCalendar, OpeningWindow
from residents.names import names_list
from residents.signals import calendar_changed
from residents.statutory import StatutoryDay, statutory_days

# Where a set of holidays is kept: a shared calendar, or an estate's own calendar days.
HolidayOwner = HolidayCalendar | Estate


def holiday_owner_of(estate: Estate) -> HolidayOwner:
    """The calendar the estate's public holidays come from: its shared one, else its own days."""
    return estate.holiday_calendar or estate


def holiday_owners_in_use() -> list[HolidayOwner]:
    """Every shared calendar, then every estate that uses none (its own days are its calendar)."""
    return [
        *HolidayCalendar.objects.prefetch_related("estates"),
        *Estate.objects.filter(holiday_calendar__isnull=True),
    ]


def holiday_owner_label(owner: HolidayOwner) -> str:
    if isinstance(owner, Estate):
        return str(owner)
    codes = names_list(estate.code for estate in owner.estates.all())
    if not codes:
        return _("holiday calendar %(name)s (no estate uses it)") % {"name": owner.name}
    return _("holiday calendar %(name)s (%(estates)s)") % {"name": owner.name, "estates": codes}


def _holiday_counts(days: str, year: int) -> dict[str, Count]:
    holiday = Q(**{f"{days}__kind": CalendarDay.Kind.HOLIDAY})
    return {
        "in_year": Count(days, filter=holiday & Q(**{f"{days}__date__year": year})),
        "year_before": Count(days, filter=holiday & Q(**{f"{days}__date__year": year - 1})),
    }


def _incomplete(owner: HolidayCalendar | Estate) -> bool:
    in_year, year_before = owner.in_year, owner.year_before  # type: ignore[union-attr]
    return in_year == 0 or in_year * 2 < year_before


def holidays_missing(*, year: int) -> list[str]:
    """The calendars in use (shared ones some estate uses, and estates' own) whose public
    holidays of ``year`` are not there: none at all, or fewer than half as many as the year
    before (a New Year's Day entered ahead does not make a year)."""
    calendars = HolidayCalendar.objects.filter(
        Exists(Estate.objects.filter(holiday_calendar=OuterRef("pk")))
    ).annotate(**_holiday_counts("days", year))
    estates = Estate.objects.filter(holiday_calendar__isnull=True).annotate(
        **_holiday_counts("calendar_days", year)
    )
    return [c.name for c in calendars if _incomplete(c)] + [
        str(e) for e in estates if _incomplete(e)
    ]


def calendar_changed_tell(*, estates: Iterable[Estate], actor: User | None) -> int:
    """Tell the desk that these estates' business calendars changed (their open deadlines are
    recomputed); returns how many deadlines moved."""
    moved = 0
    for estate in estates:
        answers = calendar_changed.send(
            Estate,
            estate=estate,
            actor=actor,
        )
        # The stubs type a receiver's answer as ``str | None``; these answer counts.
        moved += sum(count for _receiver, count in answers)  # type: ignore[misc]
    return moved


@dataclass
class HolidaysLoaded:
    owner: HolidayOwner
    year: int
    added: list[StatutoryDay] = field(default_factory=list)
    # With the kind each had before: a make-up working day that became a holiday, or back.
    changed: list[tuple[StatutoryDay, str]] = field(default_factory=list)
    moved: int = 0


def holidays_load(*, owner: HolidayOwner, year: int, actor: User | None = None) -> HolidaysLoaded:
    """Give ``owner`` the statutory holidays and make-up working days of ``year``.

    A date already there with the same kind is left as it is (its name and opening hours are
    the office's); one of the other kind takes the statutory one. Dates the statutory
    arrangement does not name are left alone: they may be the company's own. Raises
    ``HolidaysNotKnown`` before changing anything for a year the package does not know. The
    open deadlines of the estates using the calendar are recomputed once, with the rows, in
    one transaction."""
    days = statutory_days(year)
    kept_in = {"calendar": owner} if isinstance(owner, HolidayCalendar) else {"estate": owner}
    loaded = HolidaysLoaded(owner=owner, year=year)
    with transaction.atomic():
        there = {
            row.date: row
            for row in CalendarDay.objects.select_for_update().filter(**kept_in, date__year=year)
        }
        for day in days:
            row = there.get(day.date)
            if row is None:
                CalendarDay.objects.create(**kept_in, date=day.date, kind=day.kind, name=day.name)
                loaded.added.append(day)
            elif row.kind != day.kind:
                loaded.changed.append((day, row.kind))
                row.kind, row.name = day.kind, day.name
                row.opens_like = OpeningWindow.Weekday.MONDAY
                row.save(update_fields=["kind", "name", "opens_like"])
        if loaded.added or loaded.changed:
            estates = owner.estates.all() if isinstance(owner, HolidayCalendar) else [owner]
            loaded.moved = calendar_changed_tell(estates=estates, actor=actor)
    return loaded


def holidays_loaded_lines(loaded: HolidaysLoaded) -> list[str]:
    """What a load changed, one line a date in date order, in the active language."""
    kinds = dict(CalendarDay.Kind.choices)
    lines = [
        (
            day.date,
            _("added %(date)s %(kind)s (%(holiday)s)")
            % {"date": day.date, "kind": kinds[day.kind], "holiday": day.holiday_name},
        )
        for day in loaded.added
    ]
    lines += [
        (
            day.date,
            _("changed %(date)s %(kind)s (%(holiday)s), was: %(before)s")
            % {
                "date": day.date,
                "kind": kinds[day.kind],
                "holiday": day.holiday_name,
                "before": kinds[before],
            },
        )
        for day, before in loaded.changed
    ]
    return [line for _date, line in sorted(lines)]
