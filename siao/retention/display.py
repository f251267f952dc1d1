"""The archived proof, with its codes shown as their labels (the archive stores the SI SIAO's
codes; labels are looked up when shown)."""

import datetime

from siao.emergency.enums import EmergencyStatus, UnmetReason
from siao.households.enums import ExitDestination, Relationship, RequestReason, Sex
from siao.offer.enums import ProgramType
from siao.orientation.enums import (
    CancelReason,
    ExitReason,
    HouseholdRefusalReason,
    ProgramRefusalReason,
    ReferralStatus,
    RequestKind,
    RequestStatus,
)


def _label(enum, value):
    if value in (None, ""):
        return ""
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value)


def _date(value):
    """ISO strings from the JSON back to dates (shown by the template's date filter)."""
    if not value:
        return None
    if len(value) == 10:
        return datetime.date.fromisoformat(value)
    return datetime.datetime.fromisoformat(value)


def readable(content: dict) -> dict:
    requests = []
    for row in content.get("requests", []):
        requests.append(
            {
                "kind": _label(RequestKind, row.get("kind")),
                "status": _label(RequestStatus, row.get("status")),
                "department": row.get("department__code", ""),
                "transmitted_at": _date(row.get("transmitted_at")),
                "reason": _label(RequestReason, row.get("reason")),
                "cancel_reason": _label(CancelReason, row.get("cancel_reason")),
                "recommended_types": [_label(ProgramType, value) for value in row.get("recommended_types", [])],
                "history": [
                    {"status": _label(RequestStatus, step.get("to_status")), "at": _date(step.get("changed_at"))}
                    for step in row.get("history", [])
                ],
                "referrals": [
                    {
                        "program": referral.get("program__name", ""),
                        "status": _label(ReferralStatus, referral.get("status")),
                        "proposed_at": _date(referral.get("proposed_at")),
                        "decided_at": _date(referral.get("decided_at")),
                        "program_refusal_reason": _label(ProgramRefusalReason, referral.get("program_refusal_reason")),
                        "household_refusal_reason": _label(
                            HouseholdRefusalReason, referral.get("household_refusal_reason")
                        ),
                    }
                    for referral in row.get("referrals", [])
                ],
            }
        )
    stays = [
        {
            "program": row.get("program__name", ""),
            "program_type": _label(ProgramType, row.get("program__type")),
            "started_on": _date(row.get("started_on")),
            "ended_on": _date(row.get("ended_on")),
            "exit_reason": _label(ExitReason, row.get("exit_reason")),
            "exit_destination": _label(ExitDestination, row.get("exit_destination")),
            "nights": row.get("nights", 0),
        }
        for row in content.get("stays", [])
    ]
    emergency = [
        {
            "night_of": _date(row.get("night_of")),
            "status": _label(EmergencyStatus, row.get("status")),
            "unmet_reason": _label(UnmetReason, row.get("unmet_reason")),
            "program": row.get("program__name") or "",
            "last_night": _date(row.get("last_night")),
        }
        for row in content.get("emergency_requests", [])
    ]
    rights = [
        {
            "kind": row.get("kind", ""),
            "received_on": _date(row.get("received_on")),
            "status": row.get("status", ""),
            "answered_on": _date(row.get("answered_on")),
        }
        for row in content.get("rights_requests", [])
    ]
    return {
        "member_count": content.get("member_count"),
        "requests": requests,
        "stays": stays,
        "emergency_requests": emergency,
        "rights_requests": rights,
    }


def person_labels(person) -> dict:
    return {"sex": _label(Sex, person.sex), "relationship": _label(Relationship, person.relationship)}
