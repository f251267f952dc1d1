"""Dihal, and one DDETS and one SIAO per département (the default; a SIAO covering several
départements is set up by adding départements to it)."""

from django.db import migrations

OVERSEAS_STATE_SERVICE = "DEETS"  # overseas départements have an "économie, emploi, travail, solidarités" service


def create(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Department = apps.get_model("geo", "Department")
    db = schema_editor.connection.alias
    Organization.objects.using(db).get_or_create(
        kind="national",
        defaults={"name": "Dihal — Délégation interministérielle à l'hébergement et à l'accès au logement"},
    )
    for department in Department.objects.using(db).all():
        service = OVERSEAS_STATE_SERVICE if department.is_overseas else "DDETS"
        for kind, name in (
            ("state_department", f"{service} {department.name} ({department.code})"),
            ("siao", f"SIAO {department.name} ({department.code})"),
        ):
            if not Organization.objects.using(db).filter(kind=kind, departments=department).exists():
                organization = Organization.objects.using(db).create(kind=kind, name=name)
                organization.departments.add(department)


def delete(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Organization.objects.using(schema_editor.connection.alias).filter(
        kind__in=["national", "state_department", "siao"], memberships__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("geo", "0002_load_territory")]

    operations = [migrations.RunPython(create, delete)]
