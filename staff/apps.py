from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff and departments")

    def ready(self) -> None:
        from staff import receivers

        receivers.connect()
