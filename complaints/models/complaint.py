from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models.choices import (
    MAX_ESCALATION_LEVEL,
    Channel,
    DesiredOutcome,
    Liability,
    Mindset,
    Satisfaction,
    SatisfactionSource,
    Severity,
    Stage,
    Validity,
)

if TYPE_CHECKING:
    from complaints.models.records import Deadline


class Complaint(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    estate = models.ForeignKey(
        "residents.Estate",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("estate"),
    )
    unit = models.ForeignKey(
        "residents.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("unit"),
        help_text=_("Empty for common areas."),
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("resident"),
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("category"),
    )
    top_category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("top-level category"),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    summary = models.CharField(_("summary"), max_length=200)
    account = models.TextField(_("resident's account"))
    desired_outcome = models.CharField(
        _("desired outcome"),
        max_length=15,
        choices=DesiredOutcome.choices,
        default=DesiredOutcome.REPAIR,
    )
    # Empty until the desk judges it; the column's own default lets rows be written by code
    # that does not know the field.
    mindset = models.CharField(
        _("the resident's mindset"),
        max_length=12,
        choices=Mindset.choices,
        blank=True,
        default="",
        db_default="",
    )

    # Only the workflow services write the fields below.
    stage = models.CharField(
        _("stage"), max_length=15, choices=Stage.choices, default=Stage.INTAKE, editable=False
    )
    validity = models.CharField(
        _("validity"),
        max_length=10,
        choices=Validity.choices,
        default=Validity.PENDING,
        editable=False,
    )
    department = models.ForeignKey(
        "staff.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("handling department"),
        editable=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("assignee"),
        editable=False,
    )
    explanation = models.TextField(_("explanation given"), blank=True, editable=False)
    plan = models.TextField(_("resolution plan"), blank=True, editable=False)
    outcome = models.TextField(_("outcome"), blank=True, editable=False)
    cause = models.TextField(_("cause"), blank=True, editable=False)
    liability = models.CharField(
        _("liability"), max_length=12, choices=Liability.choices, blank=True, editable=False
    )
    in_warranty = models.BooleanField(_("in warranty"), null=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), default=0, editable=False
    )
    satisfaction = models.CharField(
        _("satisfaction"),
        max_length=12,
        choices=Satisfaction.choices,
        blank=True,
        editable=False,
    )
    satisfaction_source = models.CharField(
        _("satisfaction recorded by"),
        max_length=10,
        choices=SatisfactionSource.choices,
        blank=True,
        editable=False,
    )
    # The resident's own answer on the rating page: once per complaint, kept even when staff
    # record another satisfaction at a later closing.
    resident_rating = models.CharField(
        _("resident's rating"),
        max_length=12,
        choices=Satisfaction.choices,
        blank=True,
        editable=False,
    )
    resident_rated_at = models.DateTimeField(
        _("rated by the resident at"), null=True, blank=True, editable=False
    )
    resident_comment = models.TextField(_("resident's comment"), blank=True, editable=False)
    follow_up_summary = models.TextField(_("follow-up summary"), blank=True, editable=False)
    # A building-wide incident it is one of the calls about: the incident carries the clock
    # of its resolution and tells the residents.
    incident = models.ForeignKey(
        "complaints.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("building-wide incident"),
        editable=False,
    )
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat of"),
        editable=False,
    )
    on_hold = models.BooleanField(_("on hold"), default=False, editable=False)
    hold_until = models.DateTimeField(_("on hold until"), null=True, blank=True, editable=False)
    hold_reason = models.CharField(_("hold reason"), max_length=200, blank=True, editable=False)

    received_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="logged_complaints",
        verbose_name=_("logged by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # Not columns: what some reads attach to the complaints they return. The deadlines the
    # API shows, all but the cancelled: a ``Prefetch(to_attr=...)``, or set by intake.
    shown_deadlines: "list[Deadline]"
    # A worklist row's next deadline and labels, translated once for the page.
    next_deadline: "Deadline | None"
    severity_label: str
    stage_label: str

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(stage=Stage.CLOSED, closed_at__isnull=False)
                | (~Q(stage=Stage.CLOSED) & Q(closed_at__isnull=True)),
                name="complaint_closed_iff_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level__gte=0, escalation_level__lte=MAX_ESCALATION_LEVEL),
                name="complaint_escalation_level_range",
            ),
            models.CheckConstraint(
                condition=~Q(contact_name="") | Q(resident__isnull=False),
                name="complaint_has_complainant",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="complaint_version_positive"),
        ]
        indexes = [
            models.Index(fields=["estate", "-received_at"], name="complaint_estate_recv"),
            models.Index(fields=["estate", "stage", "-received_at"], name="complaint_estate_stage"),
            models.Index(fields=["department", "stage"], name="complaint_dept_stage"),
            models.Index(
                fields=["unit", "top_category", "-received_at"], name="complaint_unit_cat"
            ),
            models.Index(
                fields=["resident", "top_category", "-received_at"], name="complaint_res_cat"
            ),
            models.Index(fields=["-received_at", "-id"], name="complaint_recv"),
            models.Index(fields=["closed_at"], name="complaint_closed"),
            # The sweep's look-up of holds whose time has come: only held complaints.
            models.Index(
                fields=["hold_until"], condition=Q(on_hold=True), name="complaint_hold_due"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        if self.category_id and not self.top_category_id:
            self.top_category_id = self.category.parent_id or self.category_id
        super().save(*args, **kwargs)

    @property
    def complainant_name(self) -> str:
        return self.contact_name or (self.resident.name if self.resident is not None else "")
