from django.contrib import admin

from staff.models import Department, StaffMember


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "supervisor"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "language"]
    list_filter = ["department", "estates"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    filter_horizontal = ["estates"]
    list_select_related = ["user", "department"]
