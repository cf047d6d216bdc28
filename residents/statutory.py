"""China's statutory public holidays and make-up working days (调休) of a year, as the State
Council announces them each autumn, read from the ``chinese-calendar`` package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import version

import chinese_calendar
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from residents.models import CalendarDay

# The package's English names of the holidays, as the desk names them in both languages.
HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "National Day": _("National Day"),
    "Anti-Fascist 70th Day": _("Victory Day of the War of Resistance (70th anniversary)"),
}
MAKE_UP_DAY_NAME = _("Make-up working day")


class HolidaysNotKnown(ValueError):
    """The package has no arrangement for the year: not announced yet when it was released."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year

    def message(self) -> str:
        """Why nothing was loaded, and what to do, in the active language."""
        known = [date.year for date in chinese_calendar.holidays]
        if not min(known) <= self.year <= dt.MAXYEAR:
            return gettext(
                "The chinese-calendar package (version %(version)s) knows the public holidays "
                "of %(first)s to %(last)s only, not of %(year)s. Nothing was changed."
            ) % {
                "version": version("chinesecalendar"),
                "year": self.year,
                "first": min(known),
                "last": max(known),
            }
        return gettext(
            "The chinese-calendar package (version %(version)s) does not know the public "
            "holidays of %(year)s, only those of %(first)s to %(last)s. Nothing was changed. "
            "Once the State Council has announced them, upgrade it (pip install --upgrade "
            "chinesecalendar) and load them again."
        ) % {
            "version": version("chinesecalendar"),
            "year": self.year,
            "first": min(known),
            "last": max(known),
        }


@dataclass(frozen=True)
class StatutoryDay:
    date: dt.date
    kind: CalendarDay.Kind
    # The holiday's English name in the package (also a make-up day's: the holiday it serves).
    holiday: str

    @property
    def holiday_name(self) -> str:
        """The holiday's name in the active language: 春节 / Spring Festival."""
        return str(HOLIDAY_NAMES.get(self.holiday, self.holiday))

    @property
    def name(self) -> str:
        """The day's name in the active language: 春节 for a holiday, 调休上班 for a make-up
        working day, as the office writes them."""
        if self.kind == CalendarDay.Kind.WORKDAY:
            return str(MAKE_UP_DAY_NAME)
        return self.holiday_name


def statutory_days(year: int) -> list[StatutoryDay]:
    """The year's holidays (weekend days inside a holiday included, plain weekends not) and
    make-up working days, in date order."""
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise HolidaysNotKnown(year)
    first = dt.date(year, 1, 1)
    try:
        chinese_calendar.get_holiday_detail(first)
    except NotImplementedError:
        raise HolidaysNotKnown(year) from None
    days = []
    date = first
    while date.year == year:
        is_holiday, holiday = chinese_calendar.get_holiday_detail(date)
        if holiday is not None:
            kind = CalendarDay.Kind.HOLIDAY if is_holiday else CalendarDay.Kind.WORKDAY
            days.append(StatutoryDay(date, kind, holiday))
        date += dt.timedelta(days=1)
    return days
