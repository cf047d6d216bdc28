"""import_holidays: a year's statutory holidays and make-up working days (调休) from the
chinese-calendar package, into a shared holiday calendar or an estate's own days."""

import datetime as dt
import io
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command

from demo.world import demo_calendar_days
from residents.models import CalendarDay, Estate, HolidayCalendar
from residents.statutory import statutory_days
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# The State Council's notice for 2026: 33 days off, 6 make-up working days.
HOLIDAYS_2026, WORKDAYS_2026 = 33, 6


def _import(*args: str) -> str:
    out = io.StringIO()
    call_command("import_holidays", *args, stdout=out)
    return out.getvalue()


def _days(**owner) -> set[tuple[dt.date, str, str]]:
    return set(CalendarDay.objects.filter(**owner).values_list("date", "kind", "name"))


def test_the_package_gives_the_demos_hand_made_2026_days():
    demo = {(day.date, day.kind) for day in demo_calendar_days(Estate()) if day.date.year == 2026}

    assert {(day.date, day.kind) for day in statutory_days(2026)} == demo
    assert len([kind for _date, kind in demo if kind == "holiday"]) == HOLIDAYS_2026


def test_the_demo_calendar_is_the_2026_arrangement_already(estate):
    CalendarDay.objects.bulk_create(demo_calendar_days(estate))
    before = _days(estate=estate)

    output = _import("--year", "2026")

    assert output == "海悦花园 (HY), 2026:\n  nothing changed\n"
    assert _days(estate=estate) == before


def test_importing_twice_adds_each_day_once_and_then_nothing(estate):
    first = _import("--year", "2026", "--estate", "HY")
    second = _import("--year", "2026", "--estate", "HY")

    lines = first.splitlines()
    assert lines[0] == "海悦花园 (HY), 2026:"
    assert lines[1] == "  added 2026-01-01 public holiday (New Year's Day)"
    assert "  added 2026-01-04 make-up working day (New Year's Day)" in lines
    assert "  added 2026-09-25 public holiday (Mid-autumn Festival)" in lines
    assert len(lines) == 1 + HOLIDAYS_2026 + WORKDAYS_2026
    assert second == "海悦花园 (HY), 2026:\n  nothing changed\n"
    assert CalendarDay.objects.filter(estate=estate).count() == HOLIDAYS_2026 + WORKDAYS_2026
    # A make-up working day keeps Monday's hours, like the ones entered by hand.
    workdays = CalendarDay.objects.filter(kind="workday")
    assert set(workdays.values_list("opens_like", "name")) == {(0, "Make-up working day")}
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 15)).name == "Spring Festival"


def test_a_day_of_the_wrong_kind_is_changed_and_the_companys_own_days_are_kept(estate):
    CalendarDay.objects.create(estate=estate, date=dt.date(2026, 10, 10), kind="holiday")
    CalendarDay.objects.create(
        estate=estate, date=dt.date(2026, 10, 8), kind="holiday", name="公司年假"
    )
    CalendarDay.objects.create(
        estate=estate, date=dt.date(2026, 10, 1), kind="holiday", name="国庆节"
    )

    output = _import("--year", "2026", "--estate", "HY", "--language", "en")

    assert "  changed 2026-10-10 make-up working day (National Day), was: public holiday" in (
        output.splitlines()
    )
    assert "2026-10-01" not in output
    days = {day.date: day for day in CalendarDay.objects.filter(estate=estate)}
    assert (days[dt.date(2026, 10, 10)].kind, days[dt.date(2026, 10, 10)].opens_like) == (
        "workday",
        0,
    )
    assert days[dt.date(2026, 10, 8)].name == "公司年假"
    assert days[dt.date(2026, 10, 1)].name == "国庆节"


def test_without_a_target_every_calendar_in_use_is_loaded(estate, other_estate):
    company = HolidayCalendar.objects.create(name="公司日历")
    estate.holiday_calendar = company
    estate.save()

    output = _import("--year", "2026")

    assert output.splitlines()[0] == "holiday calendar 公司日历 (HY), 2026:"
    assert "锦都名苑 (JD), 2026:" in output.splitlines()
    assert len(_days(calendar=company)) == len(_days(estate=other_estate)) == 39
    assert not _days(estate=estate)


def test_an_estate_on_a_shared_calendar_loads_into_that_calendar(estate, other_estate):
    company = HolidayCalendar.objects.create(name="公司日历")
    Estate.objects.update(holiday_calendar=company)

    output = _import("--year", "2026", "--estate", "JD")

    assert output.splitlines()[0] == "holiday calendar 公司日历 (HY, JD), 2026:"
    assert len(_days(calendar=company)) == 39
    assert not CalendarDay.objects.filter(calendar=None).exists()


def statutory_days_last_year() -> int:
    return max(date.year for date in chinese_calendar.holidays)


def test_a_year_the_package_does_not_know_changes_nothing(estate):
    with pytest.raises(CommandError) as refused:
        _import("--year", "2035")

    assert str(refused.value).startswith(
        f"The chinese-calendar package (version {version('chinesecalendar')}) does not know the "
        f"public holidays of 2035, only those of 2004 to {statutory_days_last_year()}. Nothing "
        "was changed."
    )
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("year", ["2003", "0", "-1", "10000"])
def test_a_year_before_the_packages_first_or_no_year_at_all_is_refused_clearly(estate, year):
    with pytest.raises(CommandError) as refused:
        _import("--year", year)

    assert str(refused.value) == (
        f"The chinese-calendar package (version {version('chinesecalendar')}) knows the public "
        f"holidays of 2004 to {statutory_days_last_year()} only, not of {year}. Nothing was "
        "changed."
    )
    assert not CalendarDay.objects.exists()


def test_a_year_the_package_does_not_know_exits_with_1():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    run = subprocess.run(
        [sys.executable, "manage.py", "import_holidays", "--year", "2035"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 1
    assert "does not know the public holidays of 2035" in run.stderr


def test_with_no_estate_there_is_nothing_to_load_into(db):
    assert _import("--year", "2026") == "No estate or holiday calendar to load them into.\n"


@pytest.mark.parametrize(
    ("args", "refusal"),
    [
        (["--calendar", "没有"], "No holiday calendar is named 没有."),
        (["--estate", "ZZ"], "No estate has the code ZZ."),
        (["--calendar", "公司日历", "--estate", "HY"], "Give --calendar or --estate, not both."),
    ],
)
def test_a_target_not_found_is_refused(db, args, refusal):
    EstateFactory(code="HY")
    with pytest.raises(CommandError, match=refusal):
        _import("--year", "2026", *args)
