from django.db import migrations


def create_roles_and_departments(apps, schema_editor):
    from staff.defaults import seed_roles_and_departments

    seed_roles_and_departments(apps.get_model("auth", "Group"), apps.get_model("staff", "Department"))


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles_and_departments, migrations.RunPython.noop)]
