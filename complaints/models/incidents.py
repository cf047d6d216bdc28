"""Building-wide incidents (公共事件): one outage that many households call about. The incident
carries one notice, one clock and one broadcast; the complaints about it are linked to it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models.append_only import AppendOnly
from complaints.models.choices import DeadlineKind, DeadlineState, Liability


class IncidentStage(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


class Incident(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    estate = models.ForeignKey(
        "residents.Estate",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("estate"),
    )
    buildings = models.ManyToManyField(
        "residents.Building",
        blank=True,
        related_name="incidents",
        verbose_name=_("buildings"),
        help_text=_("None: the whole estate."),
    )
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=200)
    notice = models.TextField(
        _("public notice"), help_text=_("Read out to callers and sent to the residents.")
    )
    expected_end = models.DateTimeField(_("expected end"), null=True, blank=True)

    # Only the incident services write the fields below.
    stage = models.CharField(
        _("stage"),
        max_length=10,
        choices=IncidentStage.choices,
        default=IncidentStage.OPEN,
        editable=False,
    )
    outcome = models.TextField(_("outcome"), blank=True, editable=False)
    cause = models.TextField(_("cause"), blank=True, editable=False)
    liability = models.CharField(
        _("liability"), max_length=12, choices=Liability.choices, blank=True, editable=False
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
        editable=False,
    )
    opened_at = models.DateTimeField(_("opened at"), editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("building-wide incident")
        verbose_name_plural = _("building-wide incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(stage=IncidentStage.CLOSED, closed_at__isnull=False)
                | (~Q(stage=IncidentStage.CLOSED) & Q(closed_at__isnull=True)),
                name="incident_closed_iff_closed_at",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="incident_version_positive"),
        ]
        indexes = [models.Index(fields=["estate", "stage"], name="incident_estate_stage")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class IncidentEvent(AppendOnly):
    """The incident's own append-only timeline, written with the change it records."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="events", verbose_name=_("incident")
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty: the system."),
    )
    kind = models.CharField(_("kind"), max_length=30)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        indexes = [models.Index(fields=["incident", "at", "id"], name="incident_event_timeline")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class IncidentDeadline(models.Model):
    """The incident's own clock: acknowledge (its first update to the residents) and
    resolution, under its category's policy on the estate's calendar. The complaints linked
    to it have no resolution deadline of their own while it is open."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("incident")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    starts_at = models.DateTimeField(_("clock started at"))
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.PENDING
    )
    explanation = models.JSONField(_("how it was computed"), default=dict, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("incident deadline")
        verbose_name_plural = _("incident deadlines")
        constraints = [
            models.CheckConstraint(
                condition=Q(state=DeadlineState.MET, met_at__isnull=False)
                | (~Q(state=DeadlineState.MET) & Q(met_at__isnull=True)),
                name="incident_deadline_met_iff_met_at",
            ),
            models.UniqueConstraint(
                fields=["incident", "kind"], name="incident_deadline_one_per_kind"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(state=DeadlineState.PENDING),
                name="incident_deadline_pending_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class IncidentEscalation(models.Model):
    """A missed incident deadline, raised once: the queue shows the incident once, however
    many complaints are linked to it."""

    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=_("incident"),
    )
    deadline = models.OneToOneField(
        IncidentDeadline,
        on_delete=models.PROTECT,
        related_name="escalation",
        verbose_name=_("missed deadline"),
        help_text=_("One escalation per missed deadline at most: the database enforces it."),
    )
    level = models.PositiveSmallIntegerField(_("level"))
    created_at = models.DateTimeField(_("created at"))
    overdue_since = models.DateTimeField(_("overdue since"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        ordering = ["overdue_since", "id"]
        verbose_name = _("incident escalation")
        verbose_name_plural = _("incident escalations")
        indexes = [
            models.Index(
                fields=["overdue_since"],
                condition=Q(acknowledged_at__isnull=True),
                name="incident_escalation_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} level {self.level}"
