from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints.services.recompute import deadlines_recompute_for_calendar
        from residents.signals import calendar_changed

        calendar_changed.connect(deadlines_recompute_for_calendar, dispatch_uid="deadlines")
