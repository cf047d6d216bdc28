from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An outgoing message, written in the transaction that caused it and sent after commit.

    The row is the truth: a sender marks it sent, a failed send is retried, and ``dedupe_key``
    makes a second attempt to create the same message a no-op.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("text message")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be sent")
        SENT = "sent", _("sent")
        RETRYING = "retrying", _("to be tried again")
        FAILED = "failed", _("failed")
        WITHHELD = "withheld", _("withheld")
        MERGED = "merged", _("sent with another message")
        STOPPED = "stopped", _("not sent: the resident stopped messages")

    class Audience(models.TextChoices):
        STAFF = "staff", _("staff")
        RESIDENT = "resident", _("resident")

    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("complaint"),
    )
    # A broadcast of a building-wide incident to the residents it reaches.
    incident = models.ForeignKey(
        "complaints.Incident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("building-wide incident"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    kind = models.CharField(_("kind"), max_length=30)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    # A text message's template variables, by name (``notifications.sms``).
    params = models.JSONField(_("template variables"), default=dict, blank=True)
    # A resident message the day's limit does not hold back: the receipt, one that carries a
    # time, or one about an urgent complaint. Quiet hours hold it all the same.
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    not_before = models.DateTimeField(_("not before"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The table it had when the outbox was part of the complaints app.
        db_table = "complaints_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["not_before"],
                name="notification_unsent",
                condition=Q(sent_at__isnull=True),
            ),
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address or self.recipient_id}"
