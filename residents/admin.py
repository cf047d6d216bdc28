from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from residents.holidays import (
    HolidayOwner,
    calendar_changed_tell,
    holiday_owner_label,
    holiday_owner_of,
    holidays_load,
    holidays_loaded_lines,
    holidays_missing,
)
from residents.models import (
    Building,
    CalendarDay,
    Estate,
    HolidayCalendar,
    OpeningWindow,
    Residency,
    Resident,
    Unit,
    first_overlap,
    overlap_error,
)
from residents.names import names_list
from residents.statutory import HolidaysNotKnown, statutory_days

NOVEMBER = 11


class OpeningWindowForm(forms.ModelForm):
    def clean(self):
        # The form set checks the estate's windows together, as they will be once saved.
        self.instance.checked_with_its_day = True
        return super().clean()


class OpeningWindowFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Refuses windows of one day that overlap, as they stand after this save."""
        super().clean()
        kept = [
            (form.cleaned_data["weekday"], form.cleaned_data["opens"], form.cleaned_data["closes"])
            for form in self.forms
            if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        overlap = first_overlap(kept)
        if overlap is not None:
            earlier, later = overlap
            raise overlap_error(earlier[0], earlier[1:], later[1:])


class OpeningWindowInline(admin.TabularInline):
    model = OpeningWindow
    form = OpeningWindowForm
    formset = OpeningWindowFormSet
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fk_name = "estate"
    fields = ["date", "kind", "opens_like", "name"]
    extra = 0


class HolidayCalendarDayInline(CalendarDayInline):
    fk_name = "calendar"


def _tell_moved(modeladmin: admin.ModelAdmin, request: HttpRequest, moved: int) -> None:
    if moved:
        modeladmin.message_user(
            request, _("%(count)d open deadlines were recomputed.") % {"count": moved}
        )


def _holidays_load(
    modeladmin: admin.ModelAdmin, request: HttpRequest, owners: list[HolidayOwner], year: int
) -> None:
    """Load ``year``'s statutory holidays into each of ``owners``, saying what changed."""
    try:
        statutory_days(year)
    except HolidaysNotKnown as exc:
        modeladmin.message_user(request, exc.message(), messages.ERROR)
        return
    assert isinstance(request.user, User)  # the admin is for signed-in staff
    for owner in owners:
        loaded = holidays_load(owner=owner, year=year, actor=request.user)
        where = {"owner": holiday_owner_label(owner), "year": year}
        lines = holidays_loaded_lines(loaded)
        if not lines:
            modeladmin.message_user(request, _("%(owner)s, %(year)s: nothing changed.") % where)
            continue
        modeladmin.message_user(
            request,
            _("%(owner)s, %(year)s: %(changes)s.") % {**where, "changes": "; ".join(lines)},
            messages.SUCCESS,
        )
        _tell_moved(modeladmin, request, loaded.moved)


def _owners_of(queryset: QuerySet) -> list[HolidayOwner]:
    """Each selected estate's holiday calendar once (its shared one, else its own days)."""
    owners: dict[tuple[str, int], HolidayOwner] = {}
    for item in queryset:
        owner = holiday_owner_of(item) if isinstance(item, Estate) else item
        owners.setdefault((type(owner).__name__, owner.pk), owner)
    return list(owners.values())


@admin.action(description=gettext_lazy("Load this year's statutory holidays (调休 included)"))
def load_this_years_holidays(modeladmin, request, queryset) -> None:
    _holidays_load(modeladmin, request, _owners_of(queryset), timezone.localdate().year)


@admin.action(description=gettext_lazy("Load next year's statutory holidays (调休 included)"))
def load_next_years_holidays(modeladmin, request, queryset) -> None:
    _holidays_load(modeladmin, request, _owners_of(queryset), timezone.localdate().year + 1)


def _warn_holidays_missing(request: HttpRequest) -> None:
    """Name the calendars in use that lack this year's public holidays, and from 1 November
    those that lack next year's."""
    if request.method != "GET":
        return
    today = timezone.localdate()
    if missing := holidays_missing(year=today.year):
        messages.warning(
            request,
            _(
                "The public holidays of %(year)s are missing or incomplete in: %(calendars)s. "
                "Load them with the action “Load this year's statutory holidays”, or run "
                "manage.py import_holidays --year %(year)s."
            )
            % {"year": today.year, "calendars": names_list(missing)},
        )
    if today.month >= NOVEMBER and (missing := holidays_missing(year=today.year + 1)):
        messages.warning(
            request,
            _(
                "The public holidays of %(year)s are missing or incomplete in: %(calendars)s. "
                "Once the State Council has announced them, load them with the action “Load "
                "next year's statutory holidays”, or run manage.py import_holidays "
                "--year %(year)s."
            )
            % {"year": today.year + 1, "calendars": names_list(missing)},
        )


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "used_by"]
    search_fields = ["name"]
    inlines = [HolidayCalendarDayInline]
    actions = [load_this_years_holidays, load_next_years_holidays]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("estates")

    @admin.display(description=gettext_lazy("used by"))
    def used_by(self, obj: HolidayCalendar) -> str:
        return names_list(estate.code for estate in obj.estates.all())

    def changelist_view(self, request, extra_context=None):
        _warn_holidays_missing(request)
        return super().changelist_view(request, extra_context)

    def save_related(self, request, form, formsets, change):
        """Changed days move the open deadlines of every estate that uses the calendar."""
        super().save_related(request, form, formsets, change)
        if change and any(formset.has_changed() for formset in formsets):
            estates = form.instance.estates.all()
            _tell_moved(self, request, calendar_changed_tell(estates=estates, actor=request.user))


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "holiday_calendar"]
    list_select_related = ["holiday_calendar"]
    search_fields = ["code", "name"]
    inlines = [OpeningWindowInline, CalendarDayInline]
    actions = [load_this_years_holidays, load_next_years_holidays]

    def changelist_view(self, request, extra_context=None):
        _warn_holidays_missing(request)
        return super().changelist_view(request, extra_context)

    def save_related(self, request, form, formsets, change):
        """A changed calendar moves the estate's open business-time deadlines."""
        super().save_related(request, form, formsets, change)
        calendar_changed = "holiday_calendar" in form.changed_data
        if change and (calendar_changed or any(formset.has_changed() for formset in formsets)):
            moved = calendar_changed_tell(estates=[form.instance], actor=request.user)
            _tell_moved(self, request, moved)


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "estate"]
    list_filter = ["estate"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["label", "building", "floor", "handover_date"]
    list_filter = ["building__estate"]
    search_fields = ["room", "building__name"]
    list_select_related = ["building"]
    autocomplete_fields = ["building"]
    show_full_result_count = False


class ResidencyInline(admin.TabularInline):
    model = Residency
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "language"]
    search_fields = ["name", "phone"]
    list_filter = ["kind"]
    inlines = [ResidencyInline]
    show_full_result_count = False
