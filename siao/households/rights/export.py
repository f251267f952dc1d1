"""The export of everything the SI SIAO holds on a person, which answers an access request
(RGPD article 15): `person_export(person)` builds one dict that both renderings use — the
printable HTML page (`export_display`) and the JSON file. Professionals appear by organization
and profile, never by name or e-mail (docs/rights-and-access.md says why)."""

import datetime

from django.db.models import Prefetch, Q
from django.utils import timezone

from siao.audit.labels import ACTION_LABELS, role_label
from siao.audit.reports import READ_ACTIONS, file_events, file_object_ids, page_label
from siao.households.enums import Section
from siao.households.forms.assessment import SECTION_FORMS, describe
from siao.households.models import Household, HouseholdMember, Person

from .sections import ABOUT, HOUSEHOLD_SECTIONS, PERSON_FIELDS, SECTIONS

EXPORT_FORMAT = "si-siao/export-personne"
EXPORT_VERSION = 1


def _coded(obj, name: str):
    """A choice field's value with its label (None when not filled in)."""
    value = getattr(obj, name)
    if value in (None, ""):
        return None
    return {"code": value, "label": str(getattr(obj, f"get_{name}_display")())}


def _code(value, choices):
    if value in (None, ""):
        return None
    return {"code": value, "label": str(dict(choices).get(value, value))}


def _name(obj) -> str | None:
    return obj.name if obj is not None else None


def _day_end(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _until(queryset, field: str, until: datetime.date | None, *, is_date: bool = False):
    """Only what happened while the person was a member of the household (a past membership)."""
    if until is None:
        return queryset
    return queryset.filter(**({f"{field}__lte": until} if is_date else {f"{field}__lt": _day_end(until)}))


def _person_record(person: Person) -> dict:
    from siao.households.enums import ResourceType

    record_ = {}
    for name in PERSON_FIELDS:
        field = Person._meta.get_field(name)
        if name == "resources":
            record_[name] = [_code(code, ResourceType.choices) for code in person.resources]
        elif field.choices:
            record_[name] = _coded(person, name)
        else:
            value = getattr(person, name)
            record_[name] = str(value) if name == "public_id" else value
    return record_


def person_export(person: Person) -> dict:
    """Everything the SI SIAO holds on a person, as plain data (JSON-ready but for dates): the
    HTML page and the JSON file render this same dict."""
    situations = [
        {"situation": _coded(s, "situation"), "since": s.since, "recorded_at": s.recorded_at}
        for s in person.residential_situations.order_by("-recorded_at", "-pk")
    ]
    memberships = (
        HouseholdMember.objects.filter(person=person)
        .select_related("household__department", "household__composition")
        .order_by("joined_on", "pk")
    )
    return {
        "export": {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "generated_at": timezone.now(),
            "about": ABOUT,
        },
        "person": _person_record(person),
        "residential_situations": situations,
        "households": [_household_part(member, person) for member in memberships],
        "labels": {key: {"title": title, "fields": labels} for key, (title, labels) in SECTIONS.items()},
    }


def _household_part(member: HouseholdMember, person: Person) -> dict:
    household = member.household
    until = member.left_on
    return {
        "file": {
            "file_number": str(household.public_id),
            "department": f"{household.department.code} – {household.department.name}",
            "composition": household.composition.label if household.composition_id else None,
            "specific_publics": [public.label for public in household.specific_publics.order_by("position")],
            "member_count": household.member_count,
            "children_count": household.children_count,
            "created_at": household.created_at,
            "last_action_at": household.last_action_at,
            "relationship": _coded(member, "relationship"),
            "joined_on": member.joined_on,
            "left_on": member.left_on,
            "left_reason": _coded(member, "left_reason"),
        },
        **_orientation_part(household, until),
        "assessments": _assessments(household, until),
        "notes": [
            {
                "created_at": note.created_at,
                "profile": role_label(note.author_role),
                "organization": note.author_organization.name,
                "text": note.text,
            }
            for note in _until(
                household.notes.select_related("author_organization").order_by("created_at", "pk"), "created_at", until
            )
        ],
        "contacts": [
            {
                "occurred_on": contact.occurred_on,
                "channel": _coded(contact, "channel"),
                "profile": role_label(contact.author_role),
                "organization": contact.author_organization.name,
            }
            for contact in _until(
                household.contacts.select_related("author_organization").order_by("occurred_on", "pk"),
                "occurred_on",
                until,
                is_date=True,
            )
        ],
        "accompaniments": [
            {
                "program": accompaniment.program.name,
                "started_on": accompaniment.started_on,
                "ended_on": accompaniment.ended_on,
            }
            for accompaniment in _until(
                household.accompaniments.select_related("program").order_by("started_on", "pk"),
                "started_on",
                until,
                is_date=True,
            )
        ],
        **_emergency_part(household, until),
        "rights_requests": _rights_requests(household, person, until),
        **_trail_part(household, person, until),
    }


def _orientation_part(household: Household, until) -> dict:
    from siao.orientation.models import Recommendation, Referral, RequestStatusChange, Stay

    requests = _until(
        household.requests.select_related("department", "origin_program")
        .prefetch_related(
            Prefetch("recommendations", queryset=Recommendation.objects.order_by("pk")),
            Prefetch("status_changes", queryset=RequestStatusChange.objects.order_by("changed_at", "pk")),
        )
        .order_by("created_at", "pk"),
        "created_at",
        until,
    )
    referrals = _until(
        Referral.objects.filter(request__household=household).select_related("program").order_by("proposed_at", "pk"),
        "proposed_at",
        until,
    )
    stays = _until(
        Stay.objects.filter(household=household).select_related("program").order_by("started_on", "pk"),
        "started_on",
        until,
        is_date=True,
    )
    return {
        "requests": [
            {
                "created_at": request.created_at,
                "kind": _coded(request, "kind"),
                "status": _coded(request, "status"),
                "siao_department": f"{request.department.code} – {request.department.name}",
                "origin_program": _name(request.origin_program),
                "reason": _coded(request, "reason"),
                "housing_situation": _coded(request, "housing_situation"),
                "comment": request.comment,
                "recommendations": [_coded(r, "program_type") for r in request.recommendations.all()],
                "priority": _coded(request, "priority"),
                "is_pseudo": request.is_pseudo,
                "transmitted_at": request.transmitted_at,
                "seniority_from": request.seniority_from,
                "sent_back_reason": request.sent_back_reason,
                "cancel_reason": _coded(request, "cancel_reason"),
                "cancel_comment": request.cancel_comment,
                "status_history": [
                    {
                        "changed_at": change.changed_at,
                        "from_status": _coded(change, "from_status"),
                        "to_status": _coded(change, "to_status"),
                        "note": change.comment,
                    }
                    for change in request.status_changes.all()
                ],
            }
            for request in requests
        ],
        "referrals": [
            {
                "proposed_at": referral.proposed_at,
                "program": referral.program.name,
                "status": _coded(referral, "status"),
                "comment": referral.comment,
                "decided_at": referral.decided_at,
                "program_refusal_reason": _coded(referral, "program_refusal_reason"),
                "household_refusal_reason": _coded(referral, "household_refusal_reason"),
                "household_refusal_justified": referral.household_refusal_justified,
                "decision_comment": referral.decision_comment,
            }
            for referral in referrals
        ],
        "stays": [
            {
                "program": stay.program.name,
                "started_on": stay.started_on,
                "ended_on": stay.ended_on,
                "exit_reason": _coded(stay, "exit_reason"),
                "exit_destination": _coded(stay, "exit_destination"),
                "exit_comment": stay.exit_comment,
            }
            for stay in stays
        ],
    }


def _content(section: str, data: dict) -> list[dict]:
    return [{"question": question, "answer": answer} for question, answer in describe(section, data)]


def _assessments(household: Household, until) -> list[dict]:
    from siao.households.models import AssessmentSection, AssessmentSectionVersion

    order = {code: n for n, code in enumerate(Section.values)}
    assessments = _until(
        household.assessments.select_related("author_organization")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=AssessmentSection.objects.filter(version__gt=0).prefetch_related(
                    Prefetch("versions", queryset=AssessmentSectionVersion.objects.order_by("version"))
                ),
            )
        )
        .order_by("created_at", "pk"),
        "created_at",
        until,
    )
    rows = []
    for assessment in assessments:
        for section in sorted(assessment.sections.all(), key=lambda s: order.get(s.section, 99)):
            labels = {name: str(field.label) for name, field in _section_fields(section.section).items()}
            rows.append(
                {
                    "assessment": _coded(assessment, "kind"),
                    "started_at": assessment.created_at,
                    "organization": assessment.author_organization.name,
                    "section": _coded(section, "section"),
                    "version": section.version,
                    "updated_at": section.updated_at,
                    "content": _content(section.section, section.data),
                    "text": section.text,
                    "versions": [
                        {
                            "version": version.version,
                            "changed_at": version.changed_at,
                            "profile": role_label(version.changed_by_role),
                            "changed_fields": [
                                labels.get(name, "Observations" if name == "text" else name)
                                for name in version.changed_fields
                            ],
                            "content": _content(section.section, version.data),
                            "text": version.text,
                        }
                        for version in section.versions.all()
                    ],
                }
            )
    return rows


def _section_fields(section: str) -> dict:
    return SECTION_FORMS[section].base_fields


def _emergency_part(household: Household, until) -> dict:
    from siao.emergency.models import Call, EmergencyRequest, Night, OutreachEncounter

    calls = _until(Call.objects.filter(household=household).order_by("received_at", "pk"), "received_at", until)
    emergency_requests = _until(
        EmergencyRequest.objects.filter(household=household).select_related("program").order_by("night_of", "pk"),
        "night_of",
        until,
        is_date=True,
    )
    nights = _until(
        Night.objects.filter(stay__household=household).select_related("stay__program").order_by("night", "pk"),
        "night",
        until,
        is_date=True,
    )
    encounters = _until(
        OutreachEncounter.objects.filter(household=household).select_related("program").order_by("occurred_at", "pk"),
        "occurred_at",
        until,
    )
    return {
        "emergency_calls": [
            {
                "received_at": call.received_at,
                "caller_type": _coded(call, "caller_type"),
                "caller_detail": call.caller_detail,
                "comment": call.comment,
            }
            for call in calls
        ],
        "emergency_requests": [
            {
                "night_of": item.night_of,
                "status": _coded(item, "status"),
                "sleeping_place": _coded(item, "sleeping_place"),
                "housing_situation": _coded(item, "housing_situation"),
                "reason": _coded(item, "reason"),
                "health_urgency": item.health_urgency,
                "violence": item.violence,
                "reduced_mobility": item.reduced_mobility,
                "with_animal": item.with_animal,
                "comment": item.comment,
                "program": _name(item.program),
                "oriented_at": item.oriented_at,
                "unmet_reason": _coded(item, "unmet_reason"),
                "outcome_comment": item.outcome_comment,
                "last_night": item.last_night,
            }
            for item in emergency_requests
        ],
        "nights": [{"night": night.night, "program": night.stay.program.name} for night in nights],
        "outreach_encounters": [
            {
                "occurred_at": encounter.occurred_at,
                "program": encounter.program.name,
                "location": encounter.location,
                "persons_count": encounter.persons_count,
                "description": encounter.description,
                "needs": encounter.needs_labels(),
                "provisions": encounter.provisions_labels(),
                "comment": encounter.comment,
            }
            for encounter in encounters
        ],
    }


def _rights_requests(household: Household, person: Person, until) -> list[dict]:
    """This person's requests and the whole household's (another member's are theirs)."""
    requests = _until(
        household.rights_requests.filter(Q(person=person) | Q(person__isnull=True)).order_by("received_on", "pk"),
        "received_on",
        until,
        is_date=True,
    )
    return [
        {
            "kind": _coded(item, "kind"),
            "concerns": str(person) if item.person_id else "Tout le ménage",
            "received_on": item.received_on,
            "due_on": item.due_on,
            "channel": _coded(item, "channel"),
            "by_representative": item.by_representative,
            "representative": item.representative,
            "details": item.details,
            "status": _coded(item, "status"),
            "answered_on": item.answered_on,
            "answer": item.answer,
            "export_count": item.export_count,
            "last_exported_at": item.last_exported_at,
        }
        for item in requests
    ]


def _trail_part(household: Household, person: Person, until) -> dict:
    """Who consulted the file and what was changed, from the audit trail: all of it (not the
    file page's latest 20), without the agents' e-mails (organization and profile only).
    Changes to another member's person record are theirs, not listed here."""
    ids = file_object_ids(household)
    others = HouseholdMember.objects.filter(household=household).exclude(person=person)
    other_persons = {str(public_id) for public_id in others.values_list("person__public_id", flat=True)}
    events = file_events(household, until=until, object_ids=[i for i in ids if i not in other_persons])
    events = events.exclude(action__startswith="audit.").only(
        "occurred_at", "action", "actor_role", "actor_organization_name", "object_type", "data"
    )
    consultations, modifications = [], []
    for event in events.iterator(chunk_size=2000):
        row = {
            "at": event.occurred_at,
            "organization": event.actor_organization_name or "Traitement automatique",
            "profile": role_label(event.actor_role) if event.actor_role else "",
        }
        if event.action in READ_ACTIONS:
            consultations.append({**row, "page": page_label(event)})
        else:
            modifications.append({**row, "action": ACTION_LABELS.get(event.action, event.action)})
    return {"consultations": consultations, "modifications": modifications}


# --- the HTML rendering ----------------------------------------------------------------------


def _shown(value) -> str:
    """A value as the person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y à %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dict):
        if set(value) == {"code", "label"}:
            return str(value["label"])
        if set(value) == {"question", "answer"}:
            return f"{value['question']} : {value['answer']}"
        return " ; ".join(f"{key} : {_shown(item)}" for key, item in value.items())
    if isinstance(value, list):
        return " ; ".join(_shown(item) for item in value)
    return str(value)


def _is_table(value) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) for item in value)
        and not all(set(item) in ({"code", "label"}, {"question", "answer"}) for item in value)
    )


def _record_display(record_: dict, labels: dict) -> dict:
    """One record: its rows (label, value) and its nested lists as tables."""
    rows, tables = [], []
    for key, value in record_.items():
        label = labels.get(key, key)
        if _is_table(value):
            columns = list(value[0])
            tables.append(
                {
                    "title": label,
                    "columns": [labels.get(column, column) for column in columns],
                    "rows": [[_shown(item.get(column)) for column in columns] for item in value],
                }
            )
        elif isinstance(value, list) and value and all(set(item) == {"question", "answer"} for item in value):
            tables.append(
                {
                    "title": label,
                    "columns": [labels["question"], labels["answer"]],
                    "rows": [[item["question"], item["answer"]] for item in value],
                }
            )
        else:
            rows.append((label, _shown(value)))
    return {"rows": rows, "tables": tables}


TABLE_MAX_COLUMNS = 6


def _section_display(key: str, items: list[dict]) -> dict:
    """A section as one table when its records are flat and narrow (consultations, notes...),
    otherwise record by record (requests with their history, assessments with their versions)."""
    title, labels = SECTIONS[key]
    flat = all(not _is_table(value) for item in items for value in item.values())
    if flat and len(labels) <= TABLE_MAX_COLUMNS:
        return {
            "key": key,
            "title": title,
            "columns": list(labels.values()),
            "rows": [[_shown(item.get(name)) for name in labels] for item in items],
            "records": None,
        }
    return {
        "key": key,
        "title": title,
        "columns": None,
        "rows": None,
        "records": [_record_display(i, labels) for i in items],
    }


def export_display(export: dict) -> dict:
    """The export as the printable page shows it: titles, label/value rows, tables."""
    person_title, person_labels = SECTIONS["person"]
    return {
        "person": {"title": person_title, **_record_display(export["person"], person_labels)},
        "residential_situations": _section_display("residential_situations", export["residential_situations"]),
        "households": [
            {
                "title": f"Dossier n° {part['file']['file_number']}",
                "file": _record_display(part["file"], SECTIONS["file"][1]),
                "sections": [_section_display(key, part[key]) for key in HOUSEHOLD_SECTIONS],
            }
            for part in export["households"]
        ],
    }
