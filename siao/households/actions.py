"""Every change to a household file: permission check first (PermissionDenied), validation
(ValidationError, in French), the writes and their audit event in one transaction.

The audit data holds ids, codes and field names only: never a name nor a sensitive value.
Every real action moves `Household.last_action_at` (the retention clock) through
`touch_household()`; reads never move it (they are audited by `view_household` and
`view_section` only)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from siao.accounts.actor import Actor
from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.audit.trail import record
from siao.geo.models import Department
from siao.offer.models import Public

from .composition import compute_composition, count_children
from .enums import (
    PERSON_SENSITIVE_FIELDS,
    SENSITIVE_SECTIONS,
    AssessmentKind,
    ContactChannel,
    HousingSituation,
    MemberLeftReason,
    Relationship,
    Section,
)
from .forms.assessment import SECTION_FORMS, TEXT_MAX_LENGTH
from .models import (
    Accompaniment,
    Assessment,
    AssessmentSection,
    AssessmentSectionVersion,
    Contact,
    Household,
    HouseholdMember,
    Note,
    Person,
    ResidentialSituation,
)
from .permissions import PROGRAM_FILE_ROLES, ROLES_ALLOWED, can_read_section, can_write_section

NOTE_MAX_LENGTH = 5000

# Fields a person is created with (the identity); the other fields are completed later.
IDENTITY_FIELDS = (
    "last_name",
    "first_name",
    "birth_name",
    "birth_date",
    "birth_date_is_estimated",
    "sex",
    "phone",
    "email",
)
# Fields `update_person` may change: the sensitive ones need the right to write their section.
EDITABLE_PERSON_FIELDS = (
    *IDENTITY_FIELDS,
    "family_situation",
    "nationality",
    "residence_right",
    "resources",
    "monthly_income",
    "contract_type",
    "social_security",
    "health_follow_up",
    "pregnancy",
    "pregnancy_due_on",
    "reduced_mobility",
    "violence_victim",
)

NOT_ALLOWED = "Votre profil ne permet pas cette action sur les dossiers des ménages."
NOT_VISIBLE = "Ce dossier n'est pas dans votre périmètre."
FILE_VIEWED = "households.file_viewed"
SECTION_VIEWED = "households.section_viewed"
CONSULTATION_ACTIONS = (FILE_VIEWED, SECTION_VIEWED)


# --- helpers ---------------------------------------------------------------------------------


def touch_household(household: Household | int, when: datetime.datetime | None = None) -> None:
    """Move the retention clock: call it in every action that really changes the file (the
    orientation actions do too). Never on a read. Takes the household or its pk."""
    when = when or timezone.now()
    Household.objects.filter(pk=getattr(household, "pk", household)).update(last_action_at=when)
    if isinstance(household, Household):
        household.last_action_at = when


def _require_role(actor: Actor, feature: str) -> None:
    if actor.role not in ROLES_ALLOWED[feature]:
        raise PermissionDenied(NOT_ALLOWED)


def _require_visible(actor: Actor, household: Household) -> None:
    if not Household.objects.visible_to(actor).filter(pk=household.pk).exists():
        raise PermissionDenied(NOT_VISIBLE)


def _require_visible_person(actor: Actor, person: Person) -> None:
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("Cette personne n'est pas dans votre périmètre.")


def _new_person(identity: dict, key: str) -> Person:
    """An unsaved, validated Person; its errors are prefixed by `key` (head, member-1...)."""
    unknown = set(identity) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    person = Person(**{name: value for name, value in identity.items() if value is not None})
    person.last_name = (person.last_name or "").strip()
    person.first_name = (person.first_name or "").strip()
    try:
        person.full_clean(exclude=["last_name_key", "first_name_key", "last_name_sound", "first_name_sound"])
    except ValidationError as exc:
        raise ValidationError(
            {key if field == "__all__" else f"{key}-{field}": messages for field, messages in exc.message_dict.items()}
        ) from None
    return person


def _leave(person: Person, *, reason: str, on: datetime.date) -> Household | None:
    """End the person's current membership (kept as history). Returns the household left.
    The head of a household that keeps other members cannot leave it."""
    current = HouseholdMember.objects.select_related("household").filter(person=person, left_on__isnull=True).first()
    if current is None:
        return None
    household = current.household
    if (
        household.head_id == person.pk
        and household.members.filter(left_on__isnull=True).exclude(pk=current.pk).exists()
    ):
        raise ValidationError(
            "Cette personne est la personne de référence de son ménage actuel, qui compte d'autres membres : "
            "désignez d'abord une autre personne de référence dans ce ménage."
        )
    current.left_on = on
    current.left_reason = reason
    current.save(update_fields=["left_on", "left_reason"])
    return household


def _current_pairs(household: Household) -> list[tuple[Person, str]]:
    members = household.members.filter(left_on__isnull=True).select_related("person")
    return [(member.person, member.relationship) for member in members]


def _composition_code(household: Household) -> str | None:
    if household.composition_id is None:
        return None
    return Public.objects.filter(pk=household.composition_id).values_list("code", flat=True).first()


def _refresh_counts(household: Household, *, previous_pairs: list | None = None) -> None:
    """Keep member_count, children_count, head and (unless overridden) the composition in step
    with the current members. The composition follows the members when it was the computed
    one before the change; an overridden composition is kept."""
    pairs = _current_pairs(household)
    household.member_count = len(pairs)
    household.children_count = count_children(person for person, _ in pairs)
    fields = ["member_count", "children_count"]
    if not pairs:
        household.head = None
        fields.append("head")
    if previous_pairs is not None:
        current_code = _composition_code(household)
        if current_code == compute_composition(previous_pairs):
            code = compute_composition(pairs)
            household.composition = Public.objects.filter(code=code).first() if code else None
            fields.append("composition")
    household.save(update_fields=[*fields, "updated_at"])


def _actor_department(actor: Actor, department: Department | None) -> Department:
    ids = actor.perimeter.department_ids
    if department is not None:
        if department.pk not in ids:
            raise ValidationError({"department": "Ce département n'est pas dans votre périmètre."})
        return department
    if len(ids) != 1:
        raise ValidationError({"department": "Choisissez le département du dossier."})
    return Department.objects.get(pk=next(iter(ids)))


# --- creation --------------------------------------------------------------------------------


@transaction.atomic
def create_household(
    *,
    actor: Actor,
    head: dict,
    members: list[dict] | tuple = (),
    department: Department | None = None,
    composition: str | Public | None = None,
) -> Household:
    """Create a household file with its head and other members, after the search for
    duplicates (the view's job). `head` and each member are dicts: either the identity of a
    new person (IDENTITY_FIELDS), or {"person": Person} for an existing person of the actor's
    perimeter, who leaves their current household (history kept). Each member dict also has
    a "relationship" (to the head). `composition` (a Public code or object) overrides the one
    computed from the members."""
    _require_role(actor, "create_household")
    department = _actor_department(actor, department)
    today = timezone.localdate()
    entries = [("head", {**head, "relationship": Relationship.HEAD})] + [
        (f"member-{n}", member) for n, member in enumerate(members, start=1)
    ]
    # Validate everything before writing anything.
    persons: list[tuple[Person, str, bool]] = []
    errors: dict = {}
    for key, entry in entries:
        entry = dict(entry)
        relationship = entry.pop("relationship", "") or Relationship.OTHER
        if key != "head" and (relationship not in Relationship.values or relationship == Relationship.HEAD):
            errors[f"{key}-relationship"] = "Choisissez le lien avec la personne de référence."
            continue
        existing = entry.pop("person", None)
        if existing is not None:
            _require_visible_person(actor, existing)
            persons.append((existing, relationship, True))
            continue
        try:
            persons.append((_new_person(entry, key), relationship, False))
        except ValidationError as exc:
            errors.update(exc.message_dict if hasattr(exc, "error_dict") else {key: exc.messages})
    if errors:
        raise ValidationError(errors)
    existing_pks = [person.pk for person, _, is_existing in persons if is_existing]
    if len(existing_pks) != len(set(existing_pks)):
        raise ValidationError("Une même personne ne peut figurer deux fois dans le ménage.")
    if isinstance(composition, str) and composition:
        composition = Public.objects.filter(code=composition, kind="composition").first() or _bad_composition()
    if composition is None or composition == "":
        code = compute_composition([(person, relationship) for person, relationship, _ in persons], on=today)
        composition = Public.objects.filter(code=code).first() if code else None

    head_person = persons[0][0]
    left: list[Household] = []
    for person, _, is_existing in persons:
        if is_existing:
            old = _leave(person, reason=MemberLeftReason.NEW_HOUSEHOLD, on=today)
            if old is not None:
                left.append(old)
        else:
            person.save()
    household = Household.objects.create(
        department=department,
        composition=composition,
        head=head_person,
        member_count=len(persons),
        children_count=count_children(person for person, _, _ in persons),
        created_by=actor.user,
        created_by_organization=actor.organization,
        last_action_at=timezone.now(),
    )
    HouseholdMember.objects.bulk_create(
        HouseholdMember(household=household, person=person, relationship=relationship, joined_on=today)
        for person, relationship, _ in persons
    )
    if actor.membership.program_id and actor.role in PROGRAM_FILE_ROLES:
        Accompaniment.objects.create(
            household=household, program_id=actor.membership.program_id, started_by=actor.user
        )
    for old in left:
        _refresh_counts(old)
        touch_household(old)
        record("households.member_left", actor=actor, obj=old, data={"reason": MemberLeftReason.NEW_HOUSEHOLD})
    record(
        "households.created",
        actor=actor,
        obj=household,
        data={
            "department": department.code,
            "composition": composition.code if composition else "",
            "members": len(persons),
            "existing_persons": [str(person.public_id) for person, _, is_existing in persons if is_existing],
        },
    )
    return household


def _bad_composition():
    raise ValidationError({"composition": "Choisissez une composition familiale de la liste."})


# --- persons ---------------------------------------------------------------------------------


def editable_person_fields(actor: Actor) -> list[str]:
    """The person fields the actor's role may change: the common ones with the edit right,
    the sensitive ones with the right to write their section."""
    common = actor.role in ROLES_ALLOWED["edit_household"]
    return [
        name
        for name in EDITABLE_PERSON_FIELDS
        if (can_write_section(actor, PERSON_SENSITIVE_FIELDS[name]) if name in PERSON_SENSITIVE_FIELDS else common)
    ]


def readable_person_fields(actor: Actor) -> list[str]:
    if actor.role not in ROLES_ALLOWED["view_households"]:
        return []
    return [
        name
        for name in EDITABLE_PERSON_FIELDS
        if name not in PERSON_SENSITIVE_FIELDS or can_read_section(actor, PERSON_SENSITIVE_FIELDS[name])
    ]


def _households_of(person: Person) -> list[Household]:
    return list(Household.objects.filter(members__person=person, members__left_on__isnull=True))


@transaction.atomic
def update_person(*, actor: Actor, person: Person, data: dict) -> list[str]:
    """Change the fields of `data` the actor's role may change; any other field refuses the
    whole change. Returns the names of the fields changed (also recorded in the audit)."""
    unknown = set(data) - set(EDITABLE_PERSON_FIELDS)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    allowed = set(editable_person_fields(actor))
    refused = sorted(set(data) - allowed)
    if refused:
        labels = ", ".join(str(Person._meta.get_field(name).verbose_name) for name in refused)
        raise PermissionDenied(f"Votre profil ne permet pas de modifier : {labels}.")
    _require_visible_person(actor, person)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    changed = []
    for name, value in data.items():
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if not changed:
        return []
    locked.full_clean(exclude=["last_name_key", "first_name_key", "last_name_sound", "first_name_sound"])
    locked.save(update_fields=[*changed, "updated_at"])
    for household in _households_of(locked):
        if "birth_date" in changed:
            _refresh_counts(household)
        touch_household(household)
    record("households.person_updated", actor=actor, obj=locked, data={"fields": changed})
    for name in changed:
        setattr(person, name, getattr(locked, name))
    return changed


@transaction.atomic
def record_residential_situation(
    *, actor: Actor, person: Person, situation: int, since: datetime.date | None = None
) -> ResidentialSituation:
    _require_role(actor, "edit_household")
    _require_visible_person(actor, person)
    if situation not in HousingSituation.values:
        raise ValidationError({"situation": "Choisissez une situation résidentielle de la liste."})
    if since and since > timezone.localdate():
        raise ValidationError({"since": "La date ne peut pas être dans le futur."})
    residential = ResidentialSituation.objects.create(
        person=person, situation=situation, since=since, recorded_by=actor.user
    )
    for household in _households_of(person):
        touch_household(household)
    record(
        "households.residential_situation_recorded",
        actor=actor,
        obj=person,
        data={"situation": situation},
    )
    return residential


# --- members ---------------------------------------------------------------------------------


def _check_relationship(relationship: str) -> None:
    if relationship not in Relationship.values or relationship == Relationship.HEAD:
        raise ValidationError({"relationship": "Choisissez le lien avec la personne de référence."})


@transaction.atomic
def add_member(
    *,
    actor: Actor,
    household: Household,
    relationship: str,
    person: Person | None = None,
    identity: dict | None = None,
) -> HouseholdMember:
    """Add a new person (`identity`) or an existing one of the perimeter (`person`, who
    leaves their current household) to the household."""
    _require_role(actor, "edit_household")
    _require_visible(actor, household)
    _check_relationship(relationship)
    if (person is None) == (identity is None):
        raise ValidationError("Indiquez soit une personne existante, soit l'identité d'une nouvelle personne.")
    previous = _current_pairs(household)
    today = timezone.localdate()
    if person is not None:
        _require_visible_person(actor, person)
        if any(p.pk == person.pk for p, _ in previous):
            raise ValidationError("Cette personne fait déjà partie du ménage.")
        old = _leave(person, reason=MemberLeftReason.NEW_HOUSEHOLD, on=today)
        if old is not None:
            _refresh_counts(old)
            touch_household(old)
            record("households.member_left", actor=actor, obj=old, data={"reason": MemberLeftReason.NEW_HOUSEHOLD})
    else:
        person = _new_person(identity, "member")
        person.save()
    member = HouseholdMember.objects.create(household=household, person=person, relationship=relationship)
    _refresh_counts(household, previous_pairs=previous)
    touch_household(household)
    record(
        "households.member_added",
        actor=actor,
        obj=household,
        data={"person": str(person.public_id), "relationship": relationship},
    )
    return member


@transaction.atomic
def remove_member(
    *,
    actor: Actor,
    household: Household,
    person: Person,
    left_reason: str,
    left_on: datetime.date | None = None,
) -> HouseholdMember:
    _require_role(actor, "edit_household")
    _require_visible(actor, household)
    if left_reason not in MemberLeftReason.values:
        raise ValidationError({"left_reason": "Choisissez le motif du départ."})
    today = timezone.localdate()
    left_on = left_on or today
    if left_on > today:
        raise ValidationError({"left_on": "La date de départ ne peut pas être dans le futur."})
    member = household.members.filter(person=person, left_on__isnull=True).first()
    if member is None:
        raise ValidationError("Cette personne ne fait plus partie du ménage.")
    if left_on < member.joined_on:
        raise ValidationError({"left_on": "La date de départ précède l'arrivée dans le ménage."})
    previous = _current_pairs(household)
    if household.head_id == person.pk:
        raise ValidationError(
            "La personne de référence ne peut pas quitter le ménage : désignez d'abord une autre personne de "
            "référence."
            if len(previous) > 1
            else "Un ménage compte au moins une personne : la personne de référence ne peut pas le quitter."
        )
    member.left_on = left_on
    member.left_reason = left_reason
    member.save(update_fields=["left_on", "left_reason"])
    _refresh_counts(household, previous_pairs=previous)
    touch_household(household)
    record(
        "households.member_removed",
        actor=actor,
        obj=household,
        data={"person": str(person.public_id), "reason": left_reason},
    )
    return member


@transaction.atomic
def move_person(
    *, actor: Actor, person: Person, to_household: Household, relationship: str = Relationship.OTHER
) -> HouseholdMember:
    """The person leaves their household (history kept) and joins `to_household`."""
    _require_role(actor, "edit_household")
    _require_visible_person(actor, person)
    _require_visible(actor, to_household)
    _check_relationship(relationship)
    if to_household.members.filter(person=person, left_on__isnull=True).exists():
        raise ValidationError("Cette personne fait déjà partie de ce ménage.")
    today = timezone.localdate()
    old = _leave(person, reason=MemberLeftReason.NEW_HOUSEHOLD, on=today)
    if old is not None:
        _refresh_counts(old)
        touch_household(old)
    previous = _current_pairs(to_household)
    member = HouseholdMember.objects.create(household=to_household, person=person, relationship=relationship)
    _refresh_counts(to_household, previous_pairs=previous)
    touch_household(to_household)
    record(
        "households.person_moved",
        actor=actor,
        obj=to_household,
        data={
            "person": str(person.public_id),
            "from_household": str(old.public_id) if old else "",
            "relationship": relationship,
        },
    )
    return member


@transaction.atomic
def set_head(
    *, actor: Actor, household: Household, person: Person, previous_head_relationship: str = Relationship.OTHER
) -> None:
    """Make a current member the household's head; the former head stays a member."""
    _require_role(actor, "edit_household")
    _require_visible(actor, household)
    _check_relationship(previous_head_relationship)
    member = household.members.filter(person=person, left_on__isnull=True).first()
    if member is None:
        raise ValidationError("Seul un membre actuel du ménage peut en devenir la personne de référence.")
    if household.head_id == person.pk:
        return
    household.members.filter(left_on__isnull=True, relationship=Relationship.HEAD).update(
        relationship=previous_head_relationship
    )
    member.relationship = Relationship.HEAD
    member.save(update_fields=["relationship"])
    household.head = person
    household.save(update_fields=["head", "updated_at"])
    touch_household(household)
    record("households.head_changed", actor=actor, obj=household, data={"person": str(person.public_id)})


@transaction.atomic
def set_composition(
    *, actor: Actor, household: Household, composition: str, specific_publics: list[str] | None = None
) -> None:
    """Override the computed composition; set the household's specific publics (FVV,
    Réfugiés, Jeunes...), which decide the programs it may be oriented to."""
    _require_role(actor, "edit_household")
    _require_visible(actor, household)
    public = Public.objects.filter(code=composition, kind="composition").first() or _bad_composition()
    changed = []
    if household.composition_id != public.pk:
        household.composition = public
        household.save(update_fields=["composition", "updated_at"])
        changed.append("composition")
    if specific_publics is not None:
        wanted = list(Public.objects.filter(code__in=specific_publics, kind="specific"))
        if len(wanted) != len(set(specific_publics)):
            raise ValidationError({"specific_publics": "Choisissez les publics spécifiques parmi ceux proposés."})
        current = set(household.specific_publics.values_list("pk", flat=True))
        if current != {p.pk for p in wanted}:
            household.specific_publics.set(wanted)
            changed.append("specific_publics")
    if not changed:
        return
    touch_household(household)
    record(
        "households.composition_changed",
        actor=actor,
        obj=household,
        data={"composition": composition, "specific_publics": sorted(specific_publics or []), "changed": changed},
    )


# --- assessments -----------------------------------------------------------------------------


@transaction.atomic
def start_assessment(*, actor: Actor, household: Household, kind: str) -> Assessment:
    _require_role(actor, "write_assessment")
    _require_visible(actor, household)
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": "Choisissez le type d'évaluation."})
    assessment = Assessment.objects.create(
        household=household,
        kind=kind,
        author=actor.user,
        author_organization=actor.organization,
        program_id=actor.membership.program_id,
    )
    AssessmentSection.objects.bulk_create(
        AssessmentSection(assessment=assessment, section=section) for section in Section.values
    )
    touch_household(household)
    record(
        "households.assessment_started",
        actor=actor,
        obj=household,
        data={"assessment": str(assessment.public_id), "kind": kind},
    )
    return assessment


STALE_MESSAGE = (
    "Cette rubrique a été modifiée par une autre personne depuis que vous l'avez ouverte (version {current}, "
    "vous aviez la version {expected}). Vos changements n'ont pas été enregistrés : rechargez la page pour "
    "voir la nouvelle version, puis saisissez-les à nouveau."
)


@transaction.atomic
def save_assessment_section(
    *, actor: Actor, assessment: Assessment, section: str, data: dict, text: str, expected_version: int
) -> tuple[AssessmentSection, list[str]]:
    """Save one section: its structured fields (validated by the section's form) and its free
    text. Appends a version; refuses a stale `expected_version` (someone saved in between).
    Returns the section and the names of the fields changed (empty: nothing saved)."""
    _require_role(actor, "write_assessment")
    if section not in Section.values or not can_write_section(actor, section):
        raise PermissionDenied("Votre profil ne permet pas de modifier cette rubrique.")
    household = assessment.household
    _require_visible(actor, household)
    form_class = SECTION_FORMS[section]
    form = form_class(data=data)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    text = (text or "").strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"text": f"Les observations comptent au plus {TEXT_MAX_LENGTH} caractères."})
    current, _ = AssessmentSection.objects.get_or_create(assessment=assessment, section=section)
    current = AssessmentSection.objects.select_for_update().get(pk=current.pk)
    if current.version != expected_version:
        raise ValidationError(STALE_MESSAGE.format(current=current.version, expected=expected_version), code="stale")
    new_data = form.json_data()
    old_data = {**form_class.empty_data(), **current.data}
    changed = [name for name in new_data if old_data.get(name) != new_data[name]]
    if current.text != text:
        changed.append("text")
    if not changed:
        return current, []
    now = timezone.now()
    current.version += 1
    current.data = new_data
    current.text = text
    current.updated_at = now
    current.updated_by = actor.user
    current.save(update_fields=["version", "data", "text", "updated_at", "updated_by"])
    AssessmentSectionVersion.objects.create(
        section=current,
        version=current.version,
        data=new_data,
        text=text,
        changed_fields=changed,
        changed_at=now,
        changed_by=actor.user,
        changed_by_role=actor.role,
    )
    touch_household(household, now)
    record(
        "households.assessment_section_saved",
        actor=actor,
        obj=household,
        data={
            "assessment": str(assessment.public_id),
            "section": section,
            "version": current.version,
            "fields": changed,
        },
    )
    return current, changed


# --- notes -----------------------------------------------------------------------------------


@transaction.atomic
def write_note(*, actor: Actor, household: Household, text: str) -> Note:
    _require_role(actor, "write_note")
    _require_visible(actor, household)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Saisissez le texte de la transmission."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError({"text": f"Une transmission compte au plus {NOTE_MAX_LENGTH} caractères."})
    note = Note.objects.create(
        household=household,
        text=text,
        author=actor.user,
        author_role=actor.role,
        author_organization=actor.organization,
    )
    touch_household(household, note.created_at)
    record("households.note_written", actor=actor, obj=household, data={"note": str(note.public_id)})
    return note


CONTACT_MAX_AGE_DAYS = 366


@transaction.atomic
def record_contact(*, actor: Actor, household: Household, occurred_on: datetime.date, channel: str) -> Contact:
    """A contact with the household (a real action on the file: the retention clock moves)."""
    _require_role(actor, "record_contact")
    _require_visible(actor, household)
    errors = {}
    today = timezone.localdate()
    if not isinstance(occurred_on, datetime.date):
        errors["occurred_on"] = "Indiquez la date du contact."
    elif occurred_on > today:
        errors["occurred_on"] = "La date du contact ne peut pas être dans le futur."
    elif occurred_on < today - datetime.timedelta(days=CONTACT_MAX_AGE_DAYS):
        errors["occurred_on"] = "Un contact de plus d'un an ne s'enregistre plus : notez-le dans une transmission."
    if channel not in ContactChannel.values:
        errors["channel"] = "Choisissez le type de contact."
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.create(
        household=household,
        occurred_on=occurred_on,
        channel=channel,
        author=actor.user,
        author_role=actor.role,
        author_organization=actor.organization,
    )
    touch_household(household, contact.created_at)
    record(
        "households.contact_recorded",
        actor=actor,
        obj=household,
        data={"channel": channel, "occurred_on": occurred_on},
    )
    return contact


# --- audited reads (they never move the retention clock) -------------------------------------


def view_household(*, actor: Actor, household: Household, page: str = "", obj=None) -> None:
    """Record a consultation of the file: its page, or another page showing its personal data
    (`page`: "request", "referral"..., `obj`: the object of that page)."""
    _require_role(actor, "view_households")
    data = {"page": page, "object": str(obj.public_id)} if page and obj is not None else {}
    record(FILE_VIEWED, actor=actor, obj=household, data=data)


def view_section(*, actor: Actor, assessment: Assessment, section: str) -> None:
    """Refuses a section the role may not read; records the reading of a sensitive one, on the
    household (so that the file's consultations are one indexed query)."""
    if section not in Section.values or not can_read_section(actor, section):
        raise PermissionDenied("Votre profil ne permet pas de lire cette rubrique.")
    if section in SENSITIVE_SECTIONS:
        record(
            SECTION_VIEWED,
            actor=actor,
            obj=assessment.household,
            data={"section": section, "assessment": str(assessment.public_id)},
        )


@dataclass(frozen=True)
class Consultation:
    at: datetime.datetime
    email: str
    role: str
    organization: str
    section: str  # the section's label for a section read, "" for the file
    page: str = "Dossier"  # the page that showed the file's data


def consultations(household: Household, limit: int = 20) -> list[Consultation]:
    """Who opened the file or read one of its sensitive sections, and when (latest first)."""
    events = (
        AuditEvent.objects.filter(
            object_id=str(household.public_id), object_type="households.household", action__in=CONSULTATION_ACTIONS
        )
        .only("occurred_at", "actor_email", "actor_role", "actor_organization_name", "data", "action")
        .order_by("-sequence")[:limit]
    )
    roles = dict(Role.choices)
    sections = dict(Section.choices)
    return [
        Consultation(
            at=event.occurred_at,
            email=event.actor_email,
            role=str(roles.get(event.actor_role, event.actor_role)),
            organization=event.actor_organization_name,
            section=str(sections.get(event.data.get("section"), "")) if event.action == SECTION_VIEWED else "",
            page=CONSULTED_PAGES.get(event.data.get("page", ""), "Dossier"),
        )
        for event in events
    ]


# The pages that record a consultation of the file (view_household's `page`), as the file lists them.
CONSULTED_PAGES = {
    "": "Dossier",
    "request": "Demande d'insertion",
    "referral": "Orientation",
    "emergency_call": "Appel au 115",
    "emergency_request": "Demande d'urgence (115)",
    "encounter": "Rencontre de maraude",
    "person": "Fiche de la personne (modification)",
    "rights_request": "Demande d'exercice des droits",
}
