"""Submissions remembered by the key their client sent, so a second sending writes nothing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SubmissionDoor(models.TextChoices):
    """Where a submission came in: each door keeps keys of its own."""

    FORM = "form", _("intake form")
    API = "api", _("API")
    INCIDENT_FORM = "inc-form", _("incident form")
    INCIDENT_API = "inc-api", _("incident API")


class SubmissionKey(models.Model):
    """One write per user, door and key: a logged complaint (the intake form's one-time token,
    or an API client's ``Idempotency-Key``) or an opened incident (the same, at the incident
    doors). Written in the same transaction as what it names, so a key is taken exactly when
    that exists; forgotten after a day (``submission_keys_forget``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    door = models.CharField(_("door"), max_length=8, choices=SubmissionDoor.choices)
    key = models.CharField(_("key"), max_length=255)
    # A digest of the request's body (the API's): the same key with another body is refused.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("complaint"),
    )
    incident = models.ForeignKey(
        "complaints.Incident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
    )
    # The first answer, given again to a repeated request (the API's).
    answer = models.JSONField(_("answer"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "door", "key"], name="submission_key_once"),
            models.CheckConstraint(
                condition=Q(complaint__isnull=False, incident__isnull=True)
                | Q(complaint__isnull=True, incident__isnull=False),
                name="submission_key_names_one_write",
            ),
        ]
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")

    def __str__(self) -> str:
        return f"{self.door}:{self.key}"
