from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from residents.models import (
    Building,
    CalendarDay,
    Estate,
    OpeningWindow,
    Residency,
    Resident,
    Unit,
    first_overlap,
    overlap_error,
)
from residents.signals import calendar_changed


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
    extra = 0


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone"]
    search_fields = ["code", "name"]
    inlines = [OpeningWindowInline, CalendarDayInline]

    def save_related(self, request, form, formsets, change):
        """A changed calendar moves the estate's open business-time deadlines."""
        super().save_related(request, form, formsets, change)
        if change and any(formset.has_changed() for formset in formsets):
            answers = calendar_changed.send(Estate, estate=form.instance, actor=request.user)
            # The stubs type a receiver's answer as ``str | None``; these answer counts.
            moved = sum(count for _receiver, count in answers)  # type: ignore[misc]
            if moved:
                self.message_user(
                    request, _("%(count)d open deadlines were recomputed.") % {"count": moved}
                )


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
