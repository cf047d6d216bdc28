from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints.models.choices import Severity


class Category(models.Model):
    """Two levels: a top-level category (QUAL) and its sub-types (QUAL-LEAK)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    default_department = models.ForeignKey(
        "staff.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("default department"),
    )
    default_severity = models.CharField(
        _("default severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    warranty_years = models.PositiveSmallIntegerField(
        _("warranty years"),
        null=True,
        blank=True,
        help_text=_(
            "For defects: years after the unit's handover during which the developer is liable."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="category_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def top(self) -> "Category":
        return self.parent if self.parent is not None else self

    @property
    def path(self) -> str:
        """``设施设备 / 电梯``: the top-level category, then this one when it is a sub-type."""
        return f"{self.top.name} / {self.name}" if self.parent_id else self.name

    @property
    def effective_warranty_years(self) -> int | None:
        if self.warranty_years is not None:
            return self.warranty_years
        return self.parent.warranty_years if self.parent is not None else None


class CannedExplanation(models.Model):
    """A wording the office has agreed for explaining a matter to residents (话术库), offered
    beside the explanation and plan fields of the complaints of its category."""

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_explanations",
        verbose_name=_("category"),
        help_text=_("A top-level category covers its sub-types; none: every category."),
    )
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"), max_length=2000)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("canned explanation")
        verbose_name_plural = _("canned explanations")

    def __str__(self) -> str:
        return self.title
