from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from residents.holidays import (
    HolidayOwner,
    holiday_owner_label,
    holiday_owner_of,
    holiday_owners_in_use,
    holidays_load,
    holidays_loaded_lines,
)
from residents.models import Estate, HolidayCalendar
from residents.statutory import HolidaysNotKnown, statutory_days


class Command(BaseCommand):
    help = (
        "Load China's statutory public holidays and make-up working days (调休) of a year, from "
        "the chinese-calendar package, into the holiday calendars: every calendar in use (each "
        "shared calendar, and each estate that uses none) unless one is named. Safe to run "
        "again: dates already there are left alone. Open deadlines are recomputed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="e.g. 2026")
        parser.add_argument("--calendar", help="the name of one shared holiday calendar")
        parser.add_argument(
            "--estate",
            help="an estate's code: into the calendar it uses (its shared one, else its own days)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the holidays' names and of this report",
        )

    def handle(self, *args, year, calendar=None, estate=None, language, **options):
        with translation.override(language):
            try:
                statutory_days(year)
            except HolidaysNotKnown as exc:
                raise CommandError(exc.message()) from None
            owners = self._owners(calendar, estate)
            if not owners:
                self.stdout.write(_("No estate or holiday calendar to load them into."))
            for owner in owners:
                loaded = holidays_load(owner=owner, year=year)
                self.stdout.write(
                    _("%(owner)s, %(year)s:") % {"owner": holiday_owner_label(owner), "year": year}
                )
                lines = holidays_loaded_lines(loaded) or [_("nothing changed")]
                for line in lines:
                    self.stdout.write(f"  {line}")
                if loaded.moved:
                    self.stdout.write(
                        "  "
                        + _("%(count)d open deadlines were recomputed.") % {"count": loaded.moved}
                    )

    @staticmethod
    def _owners(calendar: str | None, estate: str | None) -> list[HolidayOwner]:
        if calendar and estate:
            raise CommandError(_("Give --calendar or --estate, not both."))
        if calendar:
            try:
                return [HolidayCalendar.objects.get(name=calendar)]
            except HolidayCalendar.DoesNotExist:
                raise CommandError(
                    _("No holiday calendar is named %(name)s.") % {"name": calendar}
                ) from None
        if estate:
            try:
                return [holiday_owner_of(Estate.objects.get(code=estate))]
            except Estate.DoesNotExist:
                raise CommandError(
                    _("No estate has the code %(code)s.") % {"code": estate}
                ) from None
        return holiday_owners_in_use()
