"""Configuration is edited here; complaints are only read here.

Every change to a complaint goes through the workflow services, which lock it, check its
version and write its timeline, so the admin shows complaints and their records read-only.
"""

from django.contrib import admin
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from complaints.models import (
    Callback,
    CannedExplanation,
    Category,
    Complaint,
    ComplaintEvent,
    Deadline,
    DeadlinePolicy,
    Escalation,
    Evidence,
)
from complaints.selectors import complaints_visible_to
from complaints.services.recompute import deadlines_recompute


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CannedExplanationInline(admin.StackedInline):
    model = CannedExplanation
    fields = ["title", "text", "order", "active"]
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    inlines = [CannedExplanationInline]
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "parent",
        "default_department",
        "default_severity",
        "warranty_years",
        "active",
    ]
    list_filter = ["parent", "active"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(CannedExplanation)
class CannedExplanationAdmin(admin.ModelAdmin):
    """The office's canned explanations (话术库), offered on the complaints of their category."""

    list_display = ["title", "category", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "text"]
    autocomplete_fields = ["category"]


def _recompute_for_policy(policy: DeadlinePolicy, actor: User, change: str) -> int:
    complaints = Complaint.objects.filter(severity=policy.severity, closed_at__isnull=True)
    if policy.category_id:
        complaints = complaints.filter(top_category_id=policy.category_id)
    because = {
        "policy_change": change,
        "category": policy.category.code if policy.category is not None else "",
        "severity": policy.severity,
    }
    return deadlines_recompute(complaints=complaints, actor=actor, because=because)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    """Saving a policy recomputes the open deadlines it governs, on their timelines."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved = _recompute_for_policy(obj, request.user, "changed" if change else "added")
        if moved:
            self.message_user(
                request, _("%(count)d open deadlines were recomputed.") % {"count": moved}
            )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _recompute_for_policy(obj, request.user, "removed")

    list_display = [
        "__str__",
        "clock",
        "acknowledge_minutes",
        "first_callback_minutes",
        "resolution_minutes",
        "resolution_working_days",
        "follow_up_minutes",
        "take_over_minutes",
    ]
    list_filter = ["severity", "clock"]


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ComplaintEvent
    fields = readonly_fields = ("at", "actor", "kind", "from_stage", "to_stage", "note", "data")
    extra = 0


class DeadlineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Deadline
    fields = readonly_fields = ("kind", "starts_at", "due_at", "state", "met_at")
    extra = 0


class CallbackInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Callback
    fields = readonly_fields = ("made_at", "made_by", "reached", "note", "next_callback_at")
    extra = 0


class EvidenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Evidence
    fields = readonly_fields = (
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    extra = 0


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "estate",
        "category",
        "severity",
        "stage",
        "escalation_level",
        "received_at",
    ]
    list_filter = ["stage", "severity", "estate", "top_category", "escalation_level"]
    search_fields = ["reference", "contact_name", "summary"]
    list_select_related = ["estate", "category"]
    show_full_result_count = False
    date_hierarchy = "received_at"
    inlines = [DeadlineInline, CallbackInline, EvidenceInline, EventInline]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def get_queryset(self, request):
        return complaints_visible_to(request.user)


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["complaint", "level", "reason", "created_at", "acknowledged_at"]
    list_filter = ["level", "reason"]
    list_select_related = ["complaint"]
    show_full_result_count = False


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["complaint", "at", "actor", "kind", "from_stage", "to_stage"]
    list_filter = ["kind"]
    list_select_related = ["complaint", "actor"]
    show_full_result_count = False
