"""The 115's part of the household's journey: emergency requests and their outcome, stays
and their nights, encounters of street outreach teams. Two bounded queries."""

from django.urls import reverse

from .enums import EmergencyStatus
from .models import EmergencyRequest, OutreachEncounter

LIMIT = 50


def journey_entries(household, actor, limit: int = LIMIT) -> list[dict]:
    entries = []
    requests = (
        EmergencyRequest.objects.visible_to(actor)
        .filter(household=household)
        .select_related("program")
        .only(
            "public_id",
            "created_at",
            "night_of",
            "status",
            "unmet_reason",
            "oriented_at",
            "outcome_at",
            "last_night",
            "program__name",
        )
        .order_by("-night_of", "-pk")[:limit]
    )
    for emergency_request in requests:
        url = reverse("emergency:request_detail", args=[emergency_request.public_id])
        night = f"Nuit du {emergency_request.night_of:%d/%m/%Y}"
        entries.append(
            {
                "at": emergency_request.created_at,
                "kind": "emergency",
                "label": "Demande d'urgence (115)",
                "detail": night,
                "url": url,
            }
        )
        name = f"« {emergency_request.program.name} »" if emergency_request.program_id else ""
        if emergency_request.oriented_at and name:
            entries.append(
                {
                    "at": emergency_request.oriented_at,
                    "kind": "emergency_oriented",
                    "label": "115 : orientée",
                    "detail": f"Vers {name}",
                    "url": url,
                }
            )
        if emergency_request.outcome_at and emergency_request.status != EmergencyStatus.ORIENTED:
            label = f"115 : {emergency_request.get_status_display()[0].lower()}{emergency_request.get_status_display()[1:]}"
            detail = emergency_request.get_unmet_reason_display() if emergency_request.unmet_reason else name
            if emergency_request.last_night:
                detail = f"{name}, nuits accordées jusqu'à celle du {emergency_request.last_night:%d/%m/%Y}"
            entries.append(
                {
                    "at": emergency_request.outcome_at,
                    "kind": "emergency_outcome",
                    "label": label,
                    "detail": detail,
                    "url": url,
                }
            )
    encounters = (
        OutreachEncounter.objects.visible_to(actor)
        .filter(household=household)
        .select_related("program")
        .only("public_id", "occurred_at", "location", "program__name")
        .order_by("-occurred_at")[:limit]
    )
    for encounter in encounters:
        entries.append(
            {
                "at": encounter.occurred_at,
                "kind": "encounter",
                "label": "Rencontre de maraude",
                "detail": f"« {encounter.program.name} »",
                "url": reverse("emergency:encounter_detail", args=[encounter.public_id]),
            }
        )
    return entries
