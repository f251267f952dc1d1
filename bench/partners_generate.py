"""Bench data of the partner API (issue 7), on top of the national offer (bench/offer_generate.py)
and households (bench/households_generate.py): an "Adoma-like" national operator that takes
over the programs of a few operators in every département (tens of thousands of places), and
a partner client tied to the operator with the most places. Everything it adds is named
"(banc d'essai)" and its partner clients (and their events) are removed by `cleanup()` (`python -m bench.partners --cleanup`); the
programs taken over stay with the national operator, and the technical accounts (inactive,
referenced by the audit trail) stay.
"""

from django.db import transaction

from siao.accounts.enums import OrganizationKind
from siao.accounts.models import Organization
from siao.geo.models import Department
from siao.offer.models import Place, Program

NATIONAL_OPERATOR = "Opérateur national (banc d'essai partenaires)"
PARTNER_NAME = "Partenaire (banc d'essai)"
OPERATORS_TAKEN_PER_DEPARTMENT = 3


def national_actor():
    from bench.statistics import national_actor as actor

    return actor()


def national_operator() -> Organization:
    """Created once: the programs of the first operators of each département move to it."""
    operator = Organization.objects.filter(kind=OrganizationKind.OPERATOR, name=NATIONAL_OPERATOR).first()
    if operator is not None:
        return operator
    with transaction.atomic():
        operator = Organization.objects.create(
            kind=OrganizationKind.OPERATOR, name=NATIONAL_OPERATOR, siren="999999990"
        )
        operator.departments.set(Department.objects.all())
        taken = []
        for department in Department.objects.all():
            taken += list(
                Organization.objects.filter(kind=OrganizationKind.OPERATOR, departments=department)
                .exclude(pk=operator.pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:OPERATORS_TAKEN_PER_DEPARTMENT]
            )
        Program.objects.filter(operator_id__in=taken).update(operator=operator)
    return operator


def biggest_operator() -> tuple[Organization, int]:
    from django.db.models import Count

    row = (
        Place.objects.values("place_group__program__operator")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("place_group__program__operator", "n")
        .first()
    )
    return Organization.objects.get(pk=row[0]), row[1]


def partner_for(operator: Organization, webhook_url: str):
    """A fresh partner client of `operator` (all scopes, the highest rate limit)."""
    from siao.partners import actions
    from siao.partners.enums import Scope

    return actions.register_client(
        actor=national_actor(),
        name=PARTNER_NAME,
        operators=[operator],
        scopes=list(Scope.values),
        webhook_url=webhook_url,
        rate_limit=100_000,
    )


def cleanup() -> int:
    """Remove the bench partner clients, their events, tokens and technical accounts."""
    from siao.partners.models import PartnerClient

    count = 0
    with transaction.atomic():
        for client in PartnerClient.objects.filter(name=PARTNER_NAME):
            client.delete()  # its events, attempts, secrets, tokens, idempotency records
            count += 1
    return count
