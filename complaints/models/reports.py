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
