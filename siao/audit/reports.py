"""Access reports for administrators (RGPD, accountability): every audit event about one
household file — its consultations and the modifications of its data — and the files one user
consulted or modified. The person's data export (siao/households/rights.py) reads the same
events.

An event is "about the file" when its object is the household or one of the file's objects
(persons who are or were members, requests, referrals, stays, assessments, notes, 115 calls,
emergency requests, outreach encounters and signals, rights requests): `object_reference()`
stores the object's public id, so one indexed `object_id IN (...)` query finds them all."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.utils import timezone

from siao.accounts.enums import Role

from .labels import ACTION_LABELS, object_type_label, role_label
from .models import AuditEvent

REPORT_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.SIAO_ADMIN})

FILE_VIEWED = "households.file_viewed"
SECTION_VIEWED = "households.section_viewed"
DATA_EXPORTED = "households.data_exported"
# The legal archive (siao/retention/actions.py): a read's object is the archived file (its
# object id is the file number), a search's is the special authorization it was made under.
ARCHIVE_READ = "archive.read"
ARCHIVE_SEARCHED = "archive.searched"
ARCHIVED_FILE_TYPE = "archive.archivedfile"
ARCHIVE_AUTHORIZATION_TYPE = "retention.archiveauthorization"
ARCHIVE_LABEL = "Archive légale"
# Reads of the file's personal data; every other event about the file (but the trail's own,
# "audit.*": someone read this report) is a modification.
READ_ACTIONS = frozenset({FILE_VIEWED, SECTION_VIEWED, DATA_EXPORTED, ARCHIVE_READ, ARCHIVE_SEARCHED})
FILE_REPORT_VIEWED = "audit.file_report_viewed"
USER_REPORT_VIEWED = "audit.user_report_viewed"

# Pages that record a consultation of the file (`view_household(page=...)`), beyond those the
# file page itself lists (siao.households.actions.CONSULTED_PAGES).
EXTRA_PAGES = {"rights_request": "Demande d'exercice des droits"}

# The model labels of the file's objects (AuditEvent.object_type), for the user report.
FILE_OBJECT_TYPES = (
    "households.household",
    "households.person",
    "households.assessment",
    "households.note",
    "households.rightsrequest",
    "orientation.request",
    "orientation.referral",
    "orientation.stay",
    "emergency.call",
    "emergency.emergencyrequest",
    "emergency.outreachencounter",
    "emergency.outreachsignal",
)


# --- who reads the reports -------------------------------------------------------------------


def can_read_access_reports(actor) -> bool:
    return actor.role in REPORT_ROLES


def report_departments(actor) -> frozenset[int] | None:
    """The départements whose files the actor's reports cover (None: all, the national admin)."""
    if actor.role == Role.NATIONAL_ADMIN:
        return None
    return actor.perimeter.department_ids


def get_household_for_report(actor, public_id):
    """The file whose access report the actor may read: absent and out of perimeter both 404."""
    from siao.households.models import Household

    households = Household.objects.filter(public_id=public_id).select_related("department", "head")
    departments = report_departments(actor)
    if departments is not None:
        households = households.filter(department_id__in=departments)
    household = households.first()
    if household is None:
        raise Http404("Dossier introuvable.")
    return household


@dataclass
class PurgedFile:
    """A file the retention run deleted from production: only its events remain in the trail
    (kept a year), found by the household's public id."""

    public_id: str
    purged: bool = True


PURGED_NOTICE = (
    "Ce dossier a été supprimé de la base de production (durée de conservation) : "
    "seuls les événements du journal restent."
)


def get_file_for_report(actor, public_id):
    """The file whose report the actor reads: a household of the perimeter, or, for the national
    administrator only, a file number no longer in production whose events the trail keeps."""
    try:
        return get_household_for_report(actor, public_id)
    except Http404:
        # The national administrator's perimeter is every file: absent means deleted (or never
        # created, when the trail knows nothing of it).
        if actor.role != Role.NATIONAL_ADMIN or not AuditEvent.objects.filter(object_id=str(public_id)).exists():
            raise
        return PurgedFile(public_id=str(public_id))


def users_in_perimeter(actor):
    """The users whose accesses the actor may report on: anyone for the national administrator;
    for the departmental and SIAO administrators, the users holding (or having held) a
    membership in an organization working in their départements — the organizations the trail
    already shows to a departmental administrator (AuditEventQuerySet.visible_to)."""
    from siao.accounts.models import Organization, User

    departments = report_departments(actor)
    if departments is None:
        return User.objects.all()
    organizations = Organization.objects.filter(departments__in=departments).values("pk")
    return User.objects.filter(pk__in=_membership_user_ids(organizations))


def _membership_user_ids(organizations):
    from siao.accounts.models import Membership

    return Membership.objects.filter(organization_id__in=organizations).values("user_id")


def get_user_for_report(actor, public_id):
    user = users_in_perimeter(actor).filter(public_id=public_id).first()
    if user is None:
        raise Http404("Utilisateur introuvable.")
    return user


# --- the file's objects and events -----------------------------------------------------------


def file_object_ids(household) -> list[str]:
    """The public ids of the household and of every object of its file (one query; none for a
    purged file, whose objects are gone: its own number only)."""
    if isinstance(household, PurgedFile):
        return [household.public_id]
    from siao.emergency.models import Call, EmergencyRequest, OutreachEncounter, OutreachSignal
    from siao.households.models import Assessment, HouseholdMember, Note, RightsRequest
    from siao.orientation.models import Referral, Request, Stay

    parts = [
        HouseholdMember.objects.filter(household=household).values_list("person__public_id", flat=True),
        Assessment.objects.filter(household=household).values_list("public_id", flat=True),
        Note.objects.filter(household=household).values_list("public_id", flat=True),
        RightsRequest.objects.filter(household=household).values_list("public_id", flat=True),
        Request.objects.filter(household=household).values_list("public_id", flat=True),
        Referral.objects.filter(request__household=household).values_list("public_id", flat=True),
        Stay.objects.filter(household=household).values_list("public_id", flat=True),
        Call.objects.filter(household=household).values_list("public_id", flat=True),
        EmergencyRequest.objects.filter(household=household).values_list("public_id", flat=True),
        OutreachEncounter.objects.filter(household=household).values_list("public_id", flat=True),
        OutreachSignal.objects.filter(encounter__household=household).values_list("public_id", flat=True),
    ]
    first, *others = [part.order_by() for part in parts]
    ids = {str(household.public_id)}
    ids.update(str(value) for value in first.union(*others, all=True))
    return sorted(ids)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_period(events, since: datetime.date | None = None, until: datetime.date | None = None):
    if since:
        events = events.filter(occurred_at__gte=_day_start(since))
    if until:
        events = events.filter(occurred_at__lt=_day_start(until + datetime.timedelta(days=1)))
    return events


def file_events(household, since=None, until=None, *, object_ids=None):
    """Every event about the file, oldest first (the caller orders otherwise if it wants)."""
    ids = object_ids if object_ids is not None else file_object_ids(household)
    return in_period(AuditEvent.objects.filter(object_id__in=ids), since, until).order_by("sequence")


def is_read(event) -> bool:
    return event.action in READ_ACTIONS


def nature(event) -> str:
    if event.action.startswith("audit."):
        return "Rapport des accès"
    return "Consultation" if is_read(event) else "Modification"


def page_label(event) -> str:
    """Where the file's data was read (the page, the section) or what was changed."""
    from siao.households.actions import CONSULTED_PAGES
    from siao.households.enums import Section

    data = event.data or {}
    if event.action == SECTION_VIEWED:
        section = data.get("section", "")
        label = Section(section).label if section in Section.values else section
        return f"Rubrique « {label} »"
    if event.action == FILE_VIEWED:
        page = data.get("page", "")
        return CONSULTED_PAGES.get(page) or EXTRA_PAGES.get(page) or "Dossier"
    if event.action == DATA_EXPORTED:
        return "Export des données d'une personne (droit d'accès)"
    if event.action == ARCHIVE_READ:
        return ARCHIVE_LABEL
    if event.action == ARCHIVE_SEARCHED:
        return f"{ARCHIVE_LABEL} : recherche"
    if "section" in data and data["section"] in Section.values:
        return f"Rubrique « {Section(data['section']).label} »"
    return object_type_label(event.object_type) if event.object_type else ""


def action_label(event) -> str:
    return ACTION_LABELS.get(event.action, event.action)


@dataclass
class ReportRow:
    at: datetime.datetime
    nature: str
    email: str
    role: str
    organization: str
    action: str
    page: str
    object_type: str
    object_id: str
    household: str = ""

    @classmethod
    def of(cls, event) -> "ReportRow":
        return cls(
            at=event.occurred_at,
            nature=nature(event),
            email=event.actor_email or "(traitement automatique)",
            role=role_label(event.actor_role) if event.actor_role else "",
            organization=event.actor_organization_name,
            action=action_label(event),
            page=page_label(event),
            object_type=event.object_type,
            object_id=event.object_id,
        )


CSV_HEADER = [
    "Date",
    "Nature",
    "Utilisateur",
    "Profil",
    "Organisation",
    "Action",
    "Page ou rubrique",
    "Type d'objet",
    "Identifiant de l'objet",
]


def csv_line(row: ReportRow) -> list[str]:
    return [
        timezone.localtime(row.at).strftime("%d/%m/%Y %H:%M:%S"),
        row.nature,
        row.email,
        row.role,
        row.organization,
        row.action,
        row.page,
        row.object_type,
        row.object_id,
    ]


# --- per user --------------------------------------------------------------------------------


@dataclass
class FileAccess:
    """One file a user consulted or modified over the period."""

    household_public_id: str
    department: str
    consultations: int = 0
    modifications: int = 0
    first_at: datetime.datetime | None = None
    last_at: datetime.datetime | None = None
    object_ids: set = field(default_factory=set)
    archived: bool = False  # a file of the legal archive (deleted from production)

    def add(self, *, consultations: int, modifications: int, first_at, last_at) -> None:
        self.consultations += consultations
        self.modifications += modifications
        self.first_at = min(filter(None, (self.first_at, first_at)))
        self.last_at = max(filter(None, (self.last_at, last_at)))


def _households_of_objects(object_type: str, ids: list[str]) -> dict[str, tuple[str, int, str]]:
    """object public id -> (household public id, département id, département code)."""
    from siao.emergency.models import Call, EmergencyRequest, OutreachEncounter, OutreachSignal
    from siao.households.models import Assessment, Household, HouseholdMember, Note, RightsRequest
    from siao.orientation.models import Referral, Request, Stay

    if object_type == "households.household":
        rows = Household.objects.filter(public_id__in=ids).values_list(
            "public_id", "department_id", "department__code"
        )
        return {str(public_id): (str(public_id), department, code) for public_id, department, code in rows}
    if object_type == "households.person":
        fields = (
            "person__public_id",
            "household__public_id",
            "household__department_id",
            "household__department__code",
        )
        members = HouseholdMember.objects.filter(person__public_id__in=ids)
        # A person's current household, else the last one they left.
        by_person: dict = {}
        for row in members.filter(left_on__isnull=False).order_by("left_on", "pk").values_list(*fields):
            by_person[row[0]] = row
        for row in members.filter(left_on__isnull=True).values_list(*fields):
            by_person[row[0]] = row
        rows = by_person.values()
    else:
        model, path = {
            "households.assessment": (Assessment, "household"),
            "households.note": (Note, "household"),
            "households.rightsrequest": (RightsRequest, "household"),
            "orientation.request": (Request, "household"),
            "orientation.referral": (Referral, "request__household"),
            "orientation.stay": (Stay, "household"),
            "emergency.call": (Call, "household"),
            "emergency.emergencyrequest": (EmergencyRequest, "household"),
            "emergency.outreachencounter": (OutreachEncounter, "household"),
            "emergency.outreachsignal": (OutreachSignal, "encounter__household"),
        }[object_type]
        rows = model.objects.filter(public_id__in=ids, **{f"{path}__isnull": False}).values_list(
            "public_id", f"{path}__public_id", f"{path}__department_id", f"{path}__department__code"
        )
    return {str(object_id): (str(household), department, code) for object_id, household, department, code in rows}


@dataclass
class UserReport:
    files: list[FileAccess]
    detail: list[ReportRow]
    detail_truncated: bool


DETAIL_LIMIT = 500


def _user_events(user, since, until):
    about_files = Q(object_type__in=FILE_OBJECT_TYPES) | Q(action__in=(ARCHIVE_READ, ARCHIVE_SEARCHED))
    return in_period(
        AuditEvent.objects.filter(about_files, actor_user_id=user.pk).exclude(action__startswith="audit."),
        since,
        until,
    )


def _archived_files(ids: list[str]) -> dict[str, tuple[str, int | None, str]]:
    """archived file number -> (file number, département id, département code); a file the
    archive no longer holds (expired) keeps its number, without a département. Two queries:
    the archive is its own database."""
    from siao.archive.models import ArchivedFile
    from siao.geo.models import Department

    codes = dict(
        ArchivedFile.objects.filter(household_public_id__in=[i for i in ids if _is_uuid(i)]).values_list(
            "household_public_id", "department"
        )
    )
    departments = dict(Department.objects.filter(code__in=set(codes.values())).values_list("code", "pk"))
    found = {str(number): (str(number), departments.get(code), code) for number, code in codes.items()}
    return {object_id: found.get(object_id, (object_id, None, "")) for object_id in ids}


def _archive_authorizations(ids: list[str]) -> dict[str, tuple[str, int | None, str]]:
    """authorization public id -> ("", département id, code): its scope (None: every département)."""
    from siao.retention.models import ArchiveAuthorization

    rows = ArchiveAuthorization.objects.filter(public_id__in=[i for i in ids if _is_uuid(i)]).values_list(
        "public_id", "department_id", "department__code"
    )
    return {str(public_id): ("", department, code or "") for public_id, department, code in rows}


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def user_file_accesses(actor, user, since=None, until=None, *, detail_limit: int | None = DETAIL_LIMIT) -> UserReport:
    """The files `user` consulted or modified over the period, one row per file (counts, first
    and last dates), and the detailed events (latest first, `detail_limit` at most). Only the
    files of the actor's départements (all of them for the national administrator).

    The legal archive counts too: a read of an archived file is a row of its file number
    (« Archive légale »); a search is in the detail (with the file number searched, if any),
    for the départements of the authorization it was made under (every département: the
    national administrator only)."""
    events = _user_events(user, since, until)
    read = Q(action__in=READ_ACTIONS)
    groups = list(
        events.values("object_type", "object_id")
        .annotate(
            consultations=Count("pk", filter=read),
            modifications=Count("pk", filter=~read),
            first_at=Min("occurred_at"),
            last_at=Max("occurred_at"),
        )
        .order_by()
    )
    by_type: dict[str, list[str]] = {}
    for group in groups:
        by_type.setdefault(group["object_type"], []).append(group["object_id"])
    resolved: dict[tuple[str, str], tuple[str, int | None, str]] = {}
    for object_type, ids in by_type.items():
        if object_type == ARCHIVED_FILE_TYPE:
            targets = _archived_files(ids)
        elif object_type == ARCHIVE_AUTHORIZATION_TYPE:
            targets = _archive_authorizations(ids)
        elif object_type in FILE_OBJECT_TYPES:
            targets = _households_of_objects(object_type, ids)
        else:
            continue
        for object_id, target in targets.items():
            resolved[(object_type, object_id)] = target
    departments = report_departments(actor)
    files: dict[str, FileAccess] = {}
    kept: set[tuple[str, str]] = set()
    for group in groups:
        key = (group["object_type"], group["object_id"])
        target = resolved.get(key)
        if target is None or (departments is not None and target[1] not in departments):
            continue
        kept.add(key)
        if key[0] == ARCHIVE_AUTHORIZATION_TYPE:
            continue  # a search: in the detail only
        household_id, _, code = target
        archived = key[0] == ARCHIVED_FILE_TYPE
        access = files.setdefault(
            household_id,
            FileAccess(
                household_public_id=household_id,
                department=f"{code} – {ARCHIVE_LABEL}".lstrip(" –") if archived else code,
                archived=archived,
            ),
        )
        access.add(
            consultations=group["consultations"],
            modifications=group["modifications"],
            first_at=group["first_at"],
            last_at=group["last_at"],
        )
        access.object_ids.add(key)
    detail: list[ReportRow] = []
    truncated = False
    ordered = events.only(*ROW_FIELDS).order_by("-sequence")
    for event in ordered.iterator(chunk_size=1000):
        key = (event.object_type, event.object_id)
        if key not in kept:
            continue
        if detail_limit is not None and len(detail) >= detail_limit:
            truncated = True
            break
        row = ReportRow.of(event)
        if event.action == ARCHIVE_SEARCHED:
            row.household = str(((event.data or {}).get("criteria") or {}).get("file_number") or "")
        else:
            row.household = resolved[key][0]
        detail.append(row)
    return UserReport(
        files=sorted(files.values(), key=lambda access: access.last_at, reverse=True),
        detail=detail,
        detail_truncated=truncated,
    )


ROW_FIELDS = (
    "sequence",
    "occurred_at",
    "action",
    "actor_email",
    "actor_role",
    "actor_organization_name",
    "object_type",
    "object_id",
    "data",
)
