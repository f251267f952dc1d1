"""The household's journey ("Parcours"): what happened to the file, latest first, as dicts
{at, kind, label, detail, url}. This module gives the file's own events (creation, members
arriving and leaving, notes, assessment sections saved) and merges those of the orientation
(requests, referrals, stays) from `siao.orientation.journey.journey_entries` and those of the
115 (emergency requests, nights, outreach encounters) from `siao.emergency.journey`.

Each source is one bounded query: the cost does not grow with the file's history."""

import datetime

from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role

from .models import AssessmentSectionVersion, Contact, HouseholdMember, Note
from .permissions import readable_sections

LIMIT = 50


def _at(value) -> datetime.datetime:
    """Dates (arrivals, departures) sort with datetimes: at the start of their day."""
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def own_entries(household, actor, limit: int = LIMIT) -> list[dict]:
    roles = dict(Role.choices)
    file_url = reverse("households:household_detail", args=[household.public_id])
    entries = [
        {
            "at": household.created_at,
            "kind": "created",
            "label": "Création du dossier",
            "detail": "",
            "url": "",
        }
    ]
    members = (
        HouseholdMember.objects.filter(household=household)
        .select_related("person")
        .only("joined_on", "left_on", "left_reason", "relationship", "person__first_name", "person__last_name")
        .order_by("-pk")[:limit]
    )
    for member in members:
        entries.append(
            {
                "at": _at(member.joined_on),
                "kind": "member_joined",
                "label": f"Arrivée dans le ménage : {member.person}",
                "detail": member.get_relationship_display(),
                "url": "",
            }
        )
        if member.left_on:
            entries.append(
                {
                    "at": _at(member.left_on),
                    "kind": "member_left",
                    "label": f"Départ du ménage : {member.person}",
                    "detail": member.get_left_reason_display(),
                    "url": "",
                }
            )
    notes = (
        Note.objects.filter(household=household)
        .select_related("author_organization")
        .only("created_at", "author_role", "author_organization__name", "public_id")
        .order_by("-created_at")[:limit]
    )
    for note in notes:
        entries.append(
            {
                "at": note.created_at,
                "kind": "note",
                "label": "Transmission",
                "detail": f"{roles.get(note.author_role, note.author_role)} — {note.author_organization.name}",
                "url": f"{file_url}#note-{note.public_id}",
            }
        )
    contacts = (
        Contact.objects.filter(household=household)
        .select_related("author_organization")
        .only("occurred_on", "channel", "author_role", "author_organization__name")
        .order_by("-occurred_on", "-pk")[:limit]
    )
    for contact in contacts:
        entries.append(
            {
                "at": _at(contact.occurred_on),
                "kind": "contact",
                "label": f"Contact avec le ménage : {contact.get_channel_display()[0].lower()}{contact.get_channel_display()[1:]}",
                "detail": f"{roles.get(contact.author_role, contact.author_role)} — {contact.author_organization.name}",
                "url": "",
            }
        )
    readable = readable_sections(actor)
    versions = (
        AssessmentSectionVersion.objects.filter(section__assessment__household=household)
        .select_related("section__assessment")
        .only(
            "version",
            "changed_at",
            "changed_by_role",
            "section__section",
            "section__assessment__public_id",
            "section__assessment__kind",
        )
        .order_by("-changed_at")[:limit]
    )
    for version in versions:
        section = version.section
        url = ""
        if section.section in readable:
            url = reverse(
                "households:assessment_section",
                args=[household.public_id, section.assessment.public_id, section.section],
            )
        entries.append(
            {
                "at": version.changed_at,
                "kind": "assessment",
                "label": f"{section.assessment.get_kind_display()} : rubrique « {section.get_section_display()} » "
                f"(version {version.version})",
                "detail": str(roles.get(version.changed_by_role, version.changed_by_role)),
                "url": url,
            }
        )
    return entries


def journey_entries(household, actor, limit: int = LIMIT) -> list[dict]:
    entries = own_entries(household, actor, limit)
    try:
        from siao.orientation.journey import journey_entries as orientation_entries
    except ImportError:
        pass
    else:
        entries.extend(orientation_entries(household, actor))
    try:
        from siao.emergency.journey import journey_entries as emergency_entries
    except ImportError:
        pass
    else:
        entries.extend(emergency_entries(household, actor))
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:limit]
