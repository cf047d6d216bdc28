"""What happens to a complaint: deadlines, escalations, callbacks, evidence and the timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models.append_only import AppendOnly
from complaints.models.choices import (
    Clock,
    DeadlineKind,
    DeadlineState,
    EscalationReason,
    Severity,
    Stage,
)


class DeadlinePolicy(models.Model):
    """How long each step may take, for a severity and optionally one top-level category."""

    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadline_policies",
        verbose_name=_("category"),
        help_text=_("Empty: the default for every category."),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    clock = models.CharField(_("clock"), max_length=10, choices=Clock.choices)
    acknowledge_minutes = models.PositiveIntegerField(_("acknowledge within (minutes)"))
    # Each later deadline is counted either in minutes (business minutes on a business clock)
    # or in working days (the same moment that many working days later).
    first_callback_minutes = models.PositiveIntegerField(
        _("first callback within (minutes)"), null=True, blank=True
    )
    first_callback_working_days = models.PositiveSmallIntegerField(
        _("first callback within (working days)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    resolution_working_days = models.PositiveSmallIntegerField(
        _("resolution within (working days)"), null=True, blank=True
    )
    follow_up_minutes = models.PositiveIntegerField(
        _("follow-up visit within (minutes)"), null=True, blank=True
    )
    follow_up_working_days = models.PositiveSmallIntegerField(
        _("follow-up visit within (working days)"), null=True, blank=True
    )
    # From the hand-over to a department until one of its people takes it on.
    take_over_minutes = models.PositiveIntegerField(_("take-over within (minutes)"), default=120)
    reminder_percent = models.PositiveSmallIntegerField(
        _("remind at (percent of the time)"), default=80
    )

    class Meta:
        ordering = ["category__code", "severity"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "severity"],
                name="policy_unique_category_severity",
                condition=Q(category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["severity"],
                name="policy_unique_default_severity",
                condition=Q(category__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(
                    first_callback_minutes__isnull=False, first_callback_working_days__isnull=True
                )
                | Q(first_callback_minutes__isnull=True, first_callback_working_days__isnull=False),
                name="policy_one_first_callback_time",
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__isnull=False, resolution_working_days__isnull=True)
                | Q(resolution_minutes__isnull=True, resolution_working_days__isnull=False),
                name="policy_one_resolution_time",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_minutes__isnull=False, follow_up_working_days__isnull=True)
                | Q(follow_up_minutes__isnull=True, follow_up_working_days__isnull=False),
                name="policy_one_follow_up_time",
            ),
            models.CheckConstraint(
                condition=Q(reminder_percent__gte=1, reminder_percent__lte=99),
                name="policy_reminder_percent_range",
            ),
        ]

    def __str__(self) -> str:
        scope = self.category.code if self.category is not None else "*"
        return f"{scope} / {self.get_severity_display()}"

    def duration(self, kind: str) -> tuple[int | None, int | None]:
        """(minutes, working days) for a deadline kind; exactly one is set."""
        if kind in ("acknowledge", "take_over"):
            return getattr(self, f"{kind}_minutes"), None
        return getattr(self, f"{kind}_minutes"), getattr(self, f"{kind}_working_days")


class Deadline(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name=_("complaint"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    starts_at = models.DateTimeField(_("clock started at"))
    due_at = models.DateTimeField(_("due at"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.PENDING
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    policy = models.ForeignKey(
        DeadlinePolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("policy"),
    )
    explanation = models.JSONField(_("how it was computed"), default=dict, blank=True)
    # Not a column: the kind's label on a worklist row, translated once for the page.
    kind_label: str

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.CheckConstraint(
                condition=Q(state=DeadlineState.MET, met_at__isnull=False)
                | (~Q(state=DeadlineState.MET) & Q(met_at__isnull=True)),
                name="deadline_met_iff_met_at",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("starts_at")), name="deadline_due_after_start"
            ),
        ]
        indexes = [
            # The sweep reads only pending deadlines in due order; the index holds only those.
            models.Index(
                fields=["due_at"],
                name="deadline_pending_due",
                condition=Q(state=DeadlineState.PENDING),
            ),
            models.Index(
                fields=["remind_at"],
                name="deadline_pending_remind",
                condition=Q(state=DeadlineState.PENDING, reminded_at__isnull=True),
            ),
            models.Index(fields=["complaint", "kind"], name="deadline_complaint_kind"),
            # What each complaint still owes (pending, or missed and not yet met): the worklist's
            # overdue filter, next-deadline column and sort probe it per complaint.
            models.Index(
                fields=["complaint", "due_at"],
                name="deadline_owed",
                condition=Q(state__in=[DeadlineState.PENDING, DeadlineState.MISSED]),
            ),
            # The weekly summary's callbacks on time: first callbacks due in a week.
            models.Index(fields=["kind", "due_at"], name="deadline_kind_due"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class Escalation(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=_("complaint"),
    )
    deadline = models.OneToOneField(
        Deadline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalation",
        verbose_name=_("missed deadline"),
        help_text=_("One escalation per missed deadline at most: the database enforces it."),
    )
    level = models.PositiveSmallIntegerField(_("level"))
    reason = models.CharField(_("reason"), max_length=20, choices=EscalationReason.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    overdue_since = models.DateTimeField(
        _("overdue since"),
        help_text=_("The missed deadline's due time, or when it was raised: the queue's order."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    next_reminder_at = models.DateTimeField(
        _("next reminder at"),
        null=True,
        blank=True,
        help_text=_("Until someone at its level acknowledges it, the level is reminded."),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="escalation_level_range"
            ),
        ]
        indexes = [
            models.Index(
                fields=["level", "created_at"],
                name="escalation_open",
                condition=Q(acknowledged_at__isnull=True),
            ),
            models.Index(fields=["created_at"], name="escalation_created"),
            # The queue, most overdue first: read in order, a page at a time.
            models.Index(
                fields=["overdue_since", "id"],
                name="escalation_queue",
                condition=Q(acknowledged_at__isnull=True),
            ),
            models.Index(
                fields=["next_reminder_at"],
                name="escalation_remind",
                condition=Q(acknowledged_at__isnull=True, next_reminder_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} L{self.level} {self.reason}"


class Callback(models.Model):
    """One attempt to reach the resident."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="callbacks",
        verbose_name=_("complaint"),
    )
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    reached = models.BooleanField(_("reached the resident"))
    note = models.TextField(_("what was said"), blank=True)
    next_callback_at = models.DateTimeField(_("next agreed callback"), null=True, blank=True)

    class Meta:
        ordering = ["made_at", "id"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.made_at:%Y-%m-%d %H:%M}"


class Evidence(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("complaint"),
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    is_image = models.BooleanField(_("checked image"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The action the file was sent with (the photos of a resolution), when it came with one.
    event = models.ForeignKey(
        "complaints.ComplaintEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("sent with"),
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class ComplaintEvent(AppendOnly):
    """The append-only timeline: written in the same transaction as the change it records."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("complaint"),
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
    from_stage = models.CharField(_("from stage"), max_length=15, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=15, choices=Stage.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["complaint", "at", "id"], name="event_timeline"),
            # The weekly summary reads closings, reopenings and resolutions of a week.
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ReferenceCounter(models.Model):
    """The last number handed out per estate and day; its row lock serialises intake."""

    estate = models.ForeignKey("residents.Estate", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["estate", "day"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} {self.day} {self.last}"
