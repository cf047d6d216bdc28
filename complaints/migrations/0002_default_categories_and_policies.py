from django.db import migrations


def seed(apps, schema_editor):
    from complaints.defaults import seed_defaults

    seed_defaults(
        apps.get_model("complaints", "Category"),
        apps.get_model("staff", "Department"),
        apps.get_model("complaints", "DeadlinePolicy"),
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"), ("staff", "0002_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
