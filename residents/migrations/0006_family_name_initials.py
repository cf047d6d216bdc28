from django.db import migrations

from residents.names import name_initials
from staff.names import FAMILY_NAME_READINGS


def initials_refill(apps, schema_editor):
    """Residents whose family name reads otherwise as a family name (曾 zeng, 单 shan) get the
    initials a desk types for it."""
    Resident = apps.get_model("residents", "Resident")
    for family in FAMILY_NAME_READINGS:
        batch = []
        for resident in Resident.objects.filter(name__startswith=family).only("pk", "name"):
            resident.initials = name_initials(resident.name)
            batch.append(resident)
        Resident.objects.bulk_update(batch, ["initials"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0005_lookup_indexes"),
    ]

    operations = [
        migrations.RunPython(initials_refill, migrations.RunPython.noop, elidable=True),
    ]
