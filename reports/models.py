from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WeeklyReportDelivery(models.Model):
    """One manager's copy of one week's summary. The unique pair makes the Monday email go once
    however often the schedule fires; a claim older than the lease is a sender that died."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="weekly_report_deliveries",
        verbose_name=_("manager"),
    )
    week = models.CharField(_("week"), max_length=8, help_text=_("ISO week, e.g. 2026-W47."))
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-week", "manager_id"]
        # The table it had when the weekly summary was part of the complaints app.
        db_table = "complaints_weeklyreportdelivery"
        verbose_name = _("weekly summary email")
        verbose_name_plural = _("weekly summary emails")
        constraints = [
            models.UniqueConstraint(fields=["manager", "week"], name="weekly_delivery_once"),
            models.CheckConstraint(
                condition=Q(week__regex=r"^[0-9]{4}-W[0-9]{2}$"), name="weekly_delivery_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week} → {self.manager_id}"


class WeeklySummarySnapshot(models.Model):
    """The computed figures of one finished week for one exact set of estates.

    Medians do not add up, so a report over three estates is stored as such, not summed from
    per-estate rows. ``payload`` is language-neutral (ids, codes and numbers); names are read
    when the report is shown. It is trusted only while no change to history recorded since
    ``computed_at`` reaches back before ``ends_at`` (see ``reports.past_changes``).
    """

    week = models.CharField(_("week"), max_length=8, help_text=_("ISO week, e.g. 2026-W47."))
    scope = models.CharField(
        _("estates"), max_length=80, help_text=_("The ids of the estates the report covers.")
    )
    ends_at = models.DateTimeField(_("week ends at"))
    computed_at = models.DateTimeField(_("computed at"))
    payload = models.JSONField(_("figures"))

    class Meta:
        ordering = ["-week", "scope"]
        # The table it had when the weekly summary was part of the complaints app.
        db_table = "complaints_weeklysummarysnapshot"
        verbose_name = _("stored weekly summary")
        verbose_name_plural = _("stored weekly summaries")
        constraints = [
            models.UniqueConstraint(fields=["week", "scope"], name="weekly_snapshot_once"),
            models.CheckConstraint(
                condition=Q(week__regex=r"^[0-9]{4}-W[0-9]{2}$"), name="weekly_snapshot_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week} [{self.scope}]"


class WeeklySummaryChange(models.Model):
    """A write that changed what the weekly figures say about the past: the history of
    ``estate`` (every estate when empty) from the instant ``since`` on. Written in the
    transaction of the change; a stored week that ends after ``since`` is computed again."""

    since = models.DateTimeField(_("history changed from"))
    estate = models.ForeignKey(
        "residents.Estate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("estate"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at"]
        # The table it had when the weekly summary was part of the complaints app.
        db_table = "complaints_weeklysummarychange"
        verbose_name = _("change to past weeks")
        verbose_name_plural = _("changes to past weeks")
        indexes = [models.Index(fields=["recorded_at", "since"], name="weekly_change_recorded")]

    def __str__(self) -> str:
        return f"{self.since:%Y-%m-%d %H:%M} ({self.recorded_at:%Y-%m-%d %H:%M})"
