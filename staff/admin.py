from django.contrib import admin
from django.forms import ModelChoiceField
from knox.models import AuthToken

from staff.models import Department, StaffMember
from staff.names import people_in_name_order, person_name


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "supervisor"]
    search_fields = ["code", "name_zh", "name_en"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """The supervisor chosen by name, in pinyin order, the username beside it."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = field.queryset if isinstance(field, ModelChoiceField) else None
        if db_field.name == "supervisor" and field is not None and queryset is not None:
            people = people_in_name_order(queryset)
            field.choices = [
                ("", "---------"),
                *((user.pk, f"{person_name(user)} ({user.get_username()})") for user in people),
            ]
        return field


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "lead", "language"]
    list_filter = ["department", "estates"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["estates"]
    list_select_related = ["user", "department"]


# knox's own page shows digests and issues tokens without an expiry; this one shows who holds
# which token until when, issues none (the API does, for a password) and revokes by deleting.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["token_key", "user", "created", "expiry"]
    search_fields = ["user__username", "token_key"]
    list_select_related = ["user"]
    fields = readonly_fields = ("token_key", "user", "created", "expiry")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
