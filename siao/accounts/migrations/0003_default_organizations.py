"""Dihal, and one DDETS and one SIAO per département (the default; a SIAO covering several
départements is set up by adding départements to it)."""

from django.db import migrations

from siao.accounts.defaults import create_default_organizations


def create(apps, schema_editor):
    create_default_organizations(
        apps.get_model("accounts", "Organization"), apps.get_model("geo", "Department"), schema_editor.connection.alias
    )


def delete(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Organization.objects.using(schema_editor.connection.alias).filter(
        kind__in=["national", "state_department", "siao"], memberships__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("geo", "0002_load_territory")]

    operations = [migrations.RunPython(create, delete)]
