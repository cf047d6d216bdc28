from django.db import migrations, models

from residents.names import name_initials


def initials_fill(apps, schema_editor):
    """Residents already on record get their initials, a thousand at a time."""
    Resident = apps.get_model("residents", "Resident")
    batch = []
    for resident in Resident.objects.only("pk", "name").iterator(chunk_size=1000):
        resident.initials = name_initials(resident.name)
        batch.append(resident)
        if len(batch) == 1000:
            Resident.objects.bulk_update(batch, ["initials"])
            batch = []
    Resident.objects.bulk_update(batch, ["initials"])


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0002_resident_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="initials",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="initials"
            ),
        ),
        migrations.RunPython(initials_fill, migrations.RunPython.noop, elidable=True),
    ]
