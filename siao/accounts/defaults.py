"""The organizations every installation has: Dihal, and one DDETS and one SIAO per
département. Used by a data migration (with historical models) and by tests that flush."""

OVERSEAS_STATE_SERVICE = "DEETS"  # overseas: "économie, emploi, travail et solidarités"
DIHAL_NAME = "Dihal — Délégation interministérielle à l'hébergement et à l'accès au logement"


def create_default_organizations(organization_model, department_model, using="default") -> int:
    organizations = organization_model.objects.using(using)
    created = 0
    if not organizations.filter(kind="national").exists():
        organizations.create(kind="national", name=DIHAL_NAME)
        created += 1
    existing = set(
        organizations.filter(kind__in=["state_department", "siao"]).values_list("kind", "departments__code")
    )
    for department in department_model.objects.using(using).all():
        service = OVERSEAS_STATE_SERVICE if department.is_overseas else "DDETS"
        for kind, name in (
            ("state_department", f"{service} {department.name} ({department.code})"),
            ("siao", f"SIAO {department.name} ({department.code})"),
        ):
            if (kind, department.code) not in existing:
                organization = organizations.create(kind=kind, name=name)
                organization.departments.add(department)
                created += 1
    return created
