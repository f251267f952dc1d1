"""Reads of the 115: the places available tonight that fit a household, the desk's lists."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from siao.offer.enums import PlaceState, UnitKind
from siao.offer.models import Place, PlaceGroup, Program, Public
from siao.orientation.eligibility import public_fits_q, siao_orientable_q

from .enums import EMERGENCY_PLACE_TYPES


def places_needed(household, place_group) -> int:
    """A household takes one dwelling, or one place (bed) per person in a group of places."""
    if place_group.unit_kind == UnitKind.DWELLING:
        return 1
    return max(household.member_count, 1)


def fitting_place_groups(household, department_id):
    """Place groups of emergency place types, in programs the household's SIAO orients to
    (validated, open), whose public fits the household, whatever their places' states."""
    programs = Program.objects.orientable().filter(siao_orientable_q([department_id])).values("pk")
    return PlaceGroup.objects.filter(program__in=programs, place_type__in=EMERGENCY_PLACE_TYPES).filter(
        public_fits_q(household, relation="place_groups")
    )


def places_for_tonight(household, department_id):
    """The fitting place groups with enough places available right now for the household,
    each annotated with `available` (places free now). Ordered by program then group name."""
    available = (
        Place.objects.filter(place_group=OuterRef("pk"), state=PlaceState.AVAILABLE)
        .order_by()
        .values("place_group")
        .annotate(count=Count("pk"))
        .values("count")
    )
    needed = max(household.member_count, 1)
    # The groups made for this composition first (a man alone: the men's dormitory before the
    # family rooms open to everyone), then the others; by program and name within each.
    if household.composition_id:
        made_for = Exists(Public.objects.filter(place_groups=OuterRef("pk"), pk=household.composition_id))
    else:
        made_for = Value(False)
    return (
        fitting_place_groups(household, department_id)
        .annotate(
            available=Coalesce(Subquery(available, output_field=IntegerField()), Value(0)),
            made_for_household=made_for,
        )
        .filter(Q(unit_kind=UnitKind.DWELLING, available__gte=1) | Q(available__gte=needed))
        .select_related("program")
        .order_by("-made_for_household", "program__name", "name", "pk")
    )
