from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from complaints.listing import CountLink, count_link_register
        from reports import past_changes
        from reports.figures import COUNT_LABELS, figure_filter
        from reports.iso_weeks import validate_iso_week

        past_changes.connect()
        # The worklist lists the complaints behind each count: ?week=2026-W47&figure=closed
        count_link_register(
            CountLink(labels=COUNT_LABELS, condition=figure_filter, validate_week=validate_iso_week)
        )
