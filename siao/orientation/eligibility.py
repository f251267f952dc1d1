"""Which programs a request may be oriented to: validated, open, not Premier accueil, that the
SIAO may orient to (its département, or listed among the SIAOs allowed to orient), and whose
public fits the household.

Public rule (ours, docs/households.md): a program fits when it declares no composition, or
"Accueil tout public", or the household's composition; and, when it declares specific publics
(FVV, Réfugiés, Jeunes...), the household has at least one of them."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from siao.accounts.enums import OrganizationKind
from siao.accounts.models import Organization
from siao.offer.enums import PlaceState, PublicKind
from siao.offer.models import Place, Program, Public

ALL_PUBLIC = "all_public"


def siao_orientable_q(department_ids) -> Q:
    """Programs a SIAO of these départements may orient to: those of its départements, and
    those listing it among the SIAOs allowed to orient (a semi-join, no DISTINCT)."""
    siaos = Organization.objects.filter(kind=OrganizationKind.SIAO, departments__in=department_ids).values("pk")
    listing = Program.orienting_siaos.through.objects.filter(organization_id__in=siaos).values("program_id")
    return Q(department_id__in=department_ids) | Q(pk__in=listing)


def public_fits_q(household, relation: str = "programs") -> Q:
    """The public rule as a filter on programs (see the module docstring); on place groups,
    which declare their own publics, with relation="place_groups"."""
    compositions = Public.objects.filter(**{relation: OuterRef("pk")}, kind=PublicKind.COMPOSITION)
    composition_ok = ~Q(Exists(compositions)) | Q(Exists(compositions.filter(code=ALL_PUBLIC)))
    if household.composition_id:
        composition_ok |= Q(Exists(compositions.filter(pk=household.composition_id)))
    specifics = Public.objects.filter(**{relation: OuterRef("pk")}, kind=PublicKind.SPECIFIC)
    household_specifics = list(household.specific_publics.values_list("pk", flat=True))
    specific_ok = ~Q(Exists(specifics))
    if household_specifics:
        specific_ok |= Q(Exists(specifics.filter(pk__in=household_specifics)))
    return composition_ok & specific_ok


def program_refusal(program: Program, household, department_ids) -> str | None:
    """Why the SIAO cannot orient this household to this program (French), or None."""
    if not program.holds_offer:
        return f"« {program.name} » est un service de Premier accueil : le SIAO n'y oriente pas."
    if not Program.objects.orientable().filter(pk=program.pk).exists():
        if program.validation_status != "validated":
            return f"« {program.name} » n'est pas encore validé : on ne peut pas y orienter."
        return f"« {program.name} » est fermé : on ne peut pas y orienter."
    if not Program.objects.filter(siao_orientable_q(department_ids), pk=program.pk).exists():
        return f"Votre SIAO n'oriente pas vers « {program.name} »."
    if not Program.objects.filter(public_fits_q(household), pk=program.pk).exists():
        return f"Le public de « {program.name} » ne correspond pas à la composition ou à la situation du ménage."
    return None


def orientable_programs(request, department_ids):
    """Programs this request can be oriented to, with their available places counted (one
    correlated count per program, on the place state index)."""
    household = request.household
    available = (
        Place.objects.filter(place_group__program=OuterRef("pk"), state=PlaceState.AVAILABLE)
        .order_by()
        .values("place_group__program")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Program.objects.orientable()
        .filter(siao_orientable_q(department_ids))
        .filter(public_fits_q(household))
        .annotate(available_places=Coalesce(Subquery(available, output_field=IntegerField()), 0))
        .select_related("operator")
    )
