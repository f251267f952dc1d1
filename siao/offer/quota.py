"""The contingent préfectoral's availability: per validated program holding a quota, its
places and how many are free now. The SI SIAO knows the quota as a number of the program's
places, not which ones: the quota's available places are the quota, within the program's
free places (docs/partner-api.md)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from .enums import PlaceState, ValidationStatus
from .models import Program


@dataclass(frozen=True)
class QuotaRow:
    program: Program
    department_code: str
    places: int
    available_places: int

    @property
    def quota_available(self) -> int:
        return min(self.program.prefectoral_quota, self.available_places)


def quota_rows(*, operator_ids=None, department_ids=None) -> list[QuotaRow]:
    programs = Program.objects.filter(validation_status=ValidationStatus.VALIDATED, prefectoral_quota__gt=0)
    if operator_ids is not None:
        programs = programs.filter(operator_id__in=operator_ids)
    if department_ids is not None:
        programs = programs.filter(department_id__in=department_ids)
    programs = (
        programs.select_related("department", "operator")
        .annotate(
            place_count=Count("place_groups__places"),
            available_count=Count("place_groups__places", filter=Q(place_groups__places__state=PlaceState.AVAILABLE)),
        )
        .order_by("department__code", "name")
    )
    return [
        QuotaRow(
            program=p, department_code=p.department.code, places=p.place_count, available_places=p.available_count
        )
        for p in programs
    ]
