"""The publics of the seed: family compositions (with the live SI SIAO's codes where it has
one) and specific publics."""

from django.db import migrations

from siao.offer.defaults import create_publics


def create(apps, schema_editor):
    create_publics(apps.get_model("offer", "Public"), schema_editor.connection.alias)


def delete(apps, schema_editor):
    apps.get_model("offer", "Public").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("offer", "0002_offer_module")]

    operations = [migrations.RunPython(create, delete)]
