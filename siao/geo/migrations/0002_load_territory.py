"""Load the shipped territory referential (siao/geo/data/). Later refreshes: `manage.py load_territory`."""

from django.db import migrations

from siao.geo.loader import load_territory


def load(apps, schema_editor):
    load_territory(
        apps.get_model("geo", "Department"),
        apps.get_model("geo", "Commune"),
        using=schema_editor.connection.alias,
    )


def unload(apps, schema_editor):
    alias = schema_editor.connection.alias
    apps.get_model("geo", "Commune").objects.using(alias).all().delete()
    apps.get_model("geo", "Department").objects.using(alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [migrations.RunPython(load, unload, elidable=False)]
