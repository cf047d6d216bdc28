from django.db import migrations

ROLES = ("front_desk", "handler", "supervisor", "manager")
DEPARTMENTS = (
    ("CS", "客服部", "Customer service"),
    ("ENG", "工程部", "Engineering"),
    ("SEC", "秩序维护部", "Security and order"),
    ("CLN", "保洁", "Cleaning"),
    ("LND", "绿化", "Landscaping"),
    ("FIN", "财务", "Finance"),
)


def create_roles_and_departments(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Department = apps.get_model("staff", "Department")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for code, name_zh, name_en in DEPARTMENTS:
        Department.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles_and_departments, migrations.RunPython.noop)]
