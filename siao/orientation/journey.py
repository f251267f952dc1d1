"""The household's journey (parcours) as seen by the actor: its requests' status changes,
referrals (proposed, decided) and stays (admission, exit), as plain entries the household file
merges with its own events. Three queries whatever the history; no free text (comments may
hold sensitive details), only statuses and program names.

Entry: {"at": aware datetime, "kind": "request" | "referral" | "decision" | "stay_start" |
"stay_end", "label": French, "detail": short French text, "url": link or ""}; newest first."""

import datetime

from django.urls import reverse
from django.utils import timezone

from .enums import ReferralStatus, RequestStatus
from .models import Referral, Request, RequestStatusChange, Stay

DECISION_LABELS = {
    ReferralStatus.ACCEPTED: "Orientation acceptée par le dispositif",
    ReferralStatus.REFUSED_BY_PROGRAM: "Orientation refusée par le dispositif",
    ReferralStatus.REFUSED_BY_HOUSEHOLD: "Orientation refusée par le ménage",
    ReferralStatus.WITHDRAWN: "Orientation retirée",
    ReferralStatus.ADMITTED: "Orientation acceptée par le dispositif",
}


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _request_label(change: RequestStatusChange) -> str:
    if not change.from_status:
        return "Admission directe enregistrée" if change.to_status == RequestStatus.ADMITTED else "Demande créée"
    if change.from_status == change.to_status:
        return "Demande transférée" if change.comment.startswith("Transférée") else "Demande mise à jour"
    label = RequestStatus(change.to_status).label
    return f"Demande : {label[0].lower()}{label[1:]}"  # "transmise au SIAO", acronyms kept


def journey_entries(household, actor) -> list[dict]:
    requests = Request.objects.visible_to(actor).filter(household=household).values("pk")
    entries = []
    changes = (
        RequestStatusChange.objects.filter(request__in=requests)
        .select_related("request")
        .only("from_status", "to_status", "comment", "changed_at", "request__public_id", "request__kind")
    )
    for change in changes:
        url = reverse("orientation:request_detail", kwargs={"public_id": change.request.public_id})
        detail = change.request.get_kind_display()
        if change.from_status and change.from_status != change.to_status:
            detail = f"{detail} : « {RequestStatus(change.from_status).label} » → « {RequestStatus(change.to_status).label} »"
        entries.append(
            {"at": change.changed_at, "kind": "request", "label": _request_label(change), "detail": detail, "url": url}
        )
    referrals = (
        Referral.objects.filter(request__in=requests)
        .select_related("program", "request")
        .only("status", "proposed_at", "decided_at", "program__name", "request__public_id")
    )
    for referral in referrals:
        url = reverse("orientation:request_detail", kwargs={"public_id": referral.request.public_id})
        name = f"« {referral.program.name} »"
        entries.append(
            {
                "at": referral.proposed_at,
                "kind": "referral",
                "label": "Orientation proposée par le SIAO",
                "detail": f"Vers {name}",
                "url": url,
            }
        )
        if referral.decided_at:
            label = DECISION_LABELS.get(referral.status, ReferralStatus(referral.status).label)
            entries.append({"at": referral.decided_at, "kind": "decision", "label": label, "detail": name, "url": url})
    stays = (
        Stay.objects.filter(request__in=requests)
        .select_related("program", "request")
        .only("started_on", "ended_on", "program__name", "request__public_id")
    )
    for stay in stays:
        url = reverse("orientation:request_detail", kwargs={"public_id": stay.request.public_id})
        name = f"« {stay.program.name} »"
        entries.append(
            {"at": _start_of(stay.started_on), "kind": "stay_start", "label": "Admission", "detail": name, "url": url}
        )
        if stay.ended_on:
            entries.append(
                {
                    "at": _start_of(stay.ended_on),
                    "kind": "stay_end",
                    "label": "Sortie du dispositif",
                    "detail": name,
                    "url": url,
                }
            )
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries
