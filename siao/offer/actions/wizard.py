"""The creation wizard's changes: drafts (start, save a step, cancel), an operator created on
the way ("Vous ne trouvez pas votre entité ?") and the submission that turns a draft into a
program waiting for its validation circuit."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from siao.accounts.actions import GrantRequest, grant_membership
from siao.accounts.actor import Actor
from siao.accounts.enums import OrganizationKind, PerimeterKind, Role
from siao.accounts.models import Membership, Organization
from siao.audit.trail import record
from siao.geo.models import Department
from siao.offer.enums import CATEGORY_OF_TYPE, NO_OFFER_CATEGORIES, ValidationStatus, is_validated_directly_by_siao
from siao.offer.forms.wizard import (
    STEP_KEYS,
    ComplementsStepForm,
    FundingStepForm,
    GeneralStepForm,
    NatureStepForm,
    OperatorStepForm,
    selectable_operators,
)
from siao.offer.models import Program, ProgramDraft, Public
from siao.offer.permissions import ROLES_ALLOWED

LAST_STEP = 6
OPERATOR_ROLES = frozenset({Role.OPERATOR_MANAGER, Role.ASSISTANT})
# Which wizard step asks for each field of the program (to send the user back to it).
FIELD_STEPS: dict[str, int] = {
    "operator": 1,
    "category": 2,
    "type": 2,
    "funding_unit": 3,
    "funded_p177": 3,
    "funded_non_p177": 3,
    "funded_iml_plus": 3,
    "total_managed": 3,
    "prefectoral_quota": 3,
    "name": 4,
    "siret": 4,
    "finess": 4,
    "department": 4,
}


def may_create_program(actor: Actor) -> bool:
    return actor.role in ROLES_ALLOWED["create_program"]


def may_create_operator(actor: Actor) -> bool:
    """Operator roles work on their own operator only: they never create another one."""
    return actor.role in ROLES_ALLOWED["create_operator"] and actor.role not in OPERATOR_ROLES


def _check_draft_owner(actor: Actor, draft: ProgramDraft) -> None:
    if not may_create_program(actor) or draft.author_id != actor.user.pk or draft.membership_id != actor.membership.pk:
        raise PermissionDenied("Ce brouillon ne vous appartient pas.")


def start_program_draft(*, actor: Actor) -> ProgramDraft:
    if not may_create_program(actor):
        raise PermissionDenied("Votre profil ne permet pas de créer un dispositif.")
    return ProgramDraft.objects.create(author=actor.user, membership=actor.membership, data={})


def save_draft_step(*, actor: Actor, draft: ProgramDraft, step: int, values: dict) -> ProgramDraft:
    """Keep a validated step. Later steps keep their data: they are checked again at submission."""
    _check_draft_owner(actor, draft)
    if step > draft.completed_step + 1:
        raise ValidationError("Les étapes précédentes ne sont pas terminées.")
    draft.data = {**draft.data, STEP_KEYS[step]: values}
    draft.completed_step = max(draft.completed_step, step)
    draft.save(update_fields=["data", "completed_step", "updated_at"])
    return draft


def delete_program_draft(*, actor: Actor, draft: ProgramDraft) -> None:
    _check_draft_owner(actor, draft)
    draft.delete()


@dataclass(frozen=True)
class OperatorData:
    name: str
    siren: str
    legal_status: str
    address: str
    postal_code: str
    city: str
    departments: list[Department]
    accreditation: str = ""
    collective_agreement: str = ""
    p177_agreement: bool = False
    referents: str = ""
    # The seed's step 1: "ou à défaut la créer, et lui associer un gestionnaire".
    manager_email: str = ""
    manager_first_name: str = ""
    manager_last_name: str = ""


@transaction.atomic
def create_operator(*, actor: Actor, operator: OperatorData, draft: ProgramDraft | None = None) -> Organization:
    """Create an operator submitted for validation (validated with its first validated program);
    with a draft, select it at the wizard's first step."""
    if not may_create_operator(actor):
        raise PermissionDenied("Votre profil ne permet pas de créer une entité gestionnaire.")
    if draft is not None:
        _check_draft_owner(actor, draft)
    if not operator.departments:
        raise ValidationError({"departments": "Choisissez au moins un département où l'entité intervient."})
    if actor.perimeter.kind != PerimeterKind.NATIONAL and any(
        d.pk not in actor.perimeter.department_ids for d in operator.departments
    ):
        raise ValidationError({"departments": "Vous ne pouvez choisir que des départements de votre territoire."})
    organization = Organization(
        kind=OrganizationKind.OPERATOR,
        validation_status=ValidationStatus.SUBMITTED,
        name=operator.name.strip(),
        siren=operator.siren,
        legal_status=operator.legal_status,
        address=operator.address.strip(),
        postal_code=operator.postal_code,
        city=operator.city.strip(),
        accreditation=operator.accreditation.strip(),
        collective_agreement=operator.collective_agreement.strip(),
        p177_agreement=operator.p177_agreement,
        referents=operator.referents.strip(),
    )
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:
        # Someone created the same SIREN a moment ago.
        raise ValidationError({"siren": "Une entité gestionnaire porte déjà ce SIREN."}) from exc
    organization.departments.set(operator.departments)
    record(
        "offer.operator_created",
        actor=actor,
        obj=organization,
        target_organization=organization,
        data={"siren": organization.siren, "departments": sorted(d.code for d in operator.departments)},
    )
    if operator.manager_email:
        # An employer authorization like any other: the grant matrix lets State and SIAO
        # administrators name the gestionnaire of an operator of their territory.
        grant_membership(
            actor=actor,
            grant=GrantRequest(
                email=operator.manager_email,
                first_name=operator.manager_first_name,
                last_name=operator.manager_last_name,
                role=Role.OPERATOR_MANAGER,
                organization=organization,
            ),
        )
    if draft is not None:
        draft.data = {**draft.data, STEP_KEYS[1]: {"operator": str(organization.public_id)}}
        draft.save(update_fields=["data", "updated_at"])
    return organization


# --- checking and submitting a draft ------------------------------------------------------------


@dataclass
class DraftCheck:
    """What a draft would create, and what must still be corrected, step by step."""

    operator: Organization | None = None
    type: str = ""
    program: Program | None = None
    publics: list[Public] = field(default_factory=list)
    siaos: list[Organization] = field(default_factory=list)
    forms: dict = field(default_factory=dict)
    errors: dict[int, list[str]] = field(default_factory=dict)

    @property
    def first_invalid_step(self) -> int | None:
        return min(self.errors) if self.errors else None

    def add(self, step: int, messages) -> None:
        self.errors.setdefault(step, []).extend(messages)


def draft_operator(actor: Actor, draft: ProgramDraft) -> Organization | None:
    public_id = draft.data.get(STEP_KEYS[1], {}).get("operator")
    if not public_id:
        return None
    try:
        return selectable_operators(actor).filter(public_id=public_id).first()
    except ValidationError:
        return None


def draft_department(draft: ProgramDraft) -> Department | None:
    code = draft.data.get(STEP_KEYS[4], {}).get("department")
    return Department.objects.filter(code=code).first() if code else None


def step_form(step: int, *, actor: Actor, draft: ProgramDraft, data=None, operator=None, department=None):
    """The form of a step, bound to `data` (a POST or what the draft stored) or unbound with
    the draft's values as initial ones."""
    stored = draft.data.get(STEP_KEYS[step], {})
    kwargs = {"actor": actor, "draft": draft}
    if step == 4:
        kwargs["operator"] = operator or draft_operator(actor, draft)
    if step == 5:
        kwargs["department"] = department or draft_department(draft)
    form_class = {
        1: OperatorStepForm,
        2: NatureStepForm,
        3: FundingStepForm,
        4: GeneralStepForm,
        5: ComplementsStepForm,
    }[step]
    if data is None:
        return form_class(initial=stored, **kwargs)
    return form_class(data=data, **kwargs)


def _messages_of(form) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def check_program_draft(*, actor: Actor, draft: ProgramDraft) -> DraftCheck:
    """Validate every step again with what the draft stored, as the wizard would."""
    check = DraftCheck()
    forms = {}
    for step in range(1, LAST_STEP):
        extra = {}
        if step == 4:
            extra["operator"] = check.operator
        if step == 5:
            extra["department"] = forms[4].cleaned_data.get("department") if forms[4].is_valid() else None
        form = step_form(step, actor=actor, draft=draft, data=draft.data.get(STEP_KEYS[step], {}), **extra)
        forms[step] = form
        if step > draft.completed_step:
            check.add(step, ["Cette étape n'est pas encore remplie."])
        elif not form.is_valid():
            check.add(step, _messages_of(form))
        if step == 1 and form.is_valid():
            check.operator = form.cleaned_data["operator"]
        if step == 2 and form.is_valid():
            check.type = form.cleaned_data["type"]
    check.forms = forms
    if check.errors:
        return check
    program = Program(
        operator=check.operator,
        category=CATEGORY_OF_TYPE[check.type],
        type=check.type,
        **forms[3].program_values(),
        **forms[4].program_values(),
        **forms[5].program_values(),
    )
    try:
        program.full_clean(exclude=["submitted_by", "prevalidated_by", "validated_by", "refused_by"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            check.add(FIELD_STEPS.get(name, 5), messages)
        return check
    general = forms[4].cleaned_data
    check.program = program
    check.publics = [*general["compositions"], *general["specific_publics"]]
    check.siaos = [] if program.category in NO_OFFER_CATEGORIES else list(general["orienting_siaos"])
    return check


class DraftIncomplete(ValidationError):
    """The draft cannot be submitted: `step` is the first one to correct."""

    def __init__(self, step: int, messages: list[str]):
        super().__init__(messages)
        self.step = step


@transaction.atomic
def submit_program_draft(*, actor: Actor, draft: ProgramDraft) -> Program:
    """Create the program from the draft, waiting for the Administrateur SIAO's decision."""
    _check_draft_owner(actor, draft)
    locked = ProgramDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:
        raise ValidationError("Ce brouillon a déjà été soumis ou supprimé.")
    check = check_program_draft(actor=actor, draft=locked)
    if check.errors:
        step = check.first_invalid_step
        raise DraftIncomplete(step, check.errors[step])
    locked.delete()
    return _submit(actor, check.program, publics=check.publics, siaos=check.siaos)


def _submit(actor: Actor, program: Program, *, publics, siaos) -> Program:
    program.validation_status = ValidationStatus.SUBMITTED
    program.submitted_by = actor.user
    program.submitted_at = timezone.now()
    program.save()
    program.publics.set(publics)
    if program.holds_offer:
        program.orienting_siaos.set(siaos)
    direct = is_validated_directly_by_siao(program.type)
    record(
        "offer.program_submitted",
        actor=actor,
        obj=program,
        target_organization=program.operator,
        data={
            "type": program.type,
            "department": program.department.code,
            "circuit": "siao" if direct else "siao_then_ddets",
            "operator": str(program.operator.public_id),
        },
    )
    transaction.on_commit(lambda: _notify_reviewers(program))
    return program


@transaction.atomic
def submit_program(*, actor: Actor, program: Program, publics=()) -> Program:
    """A program built elsewhere than the wizard (the partner API): the same checks as the
    wizard's, then the same validation circuit. Oriented to by the SIAO of its département."""
    if not may_create_program(actor):
        raise PermissionDenied("Votre profil ne permet pas de créer un dispositif.")
    if program.operator_id not in _operator_ids_for(actor):
        raise PermissionDenied("Cette entité n'est pas la vôtre.")
    program.full_clean(exclude=["submitted_by", "prevalidated_by", "validated_by", "refused_by"])
    siaos = list(
        Organization.objects.filter(kind=OrganizationKind.SIAO, is_active=True, departments=program.department_id)
    )
    return _submit(
        actor, program, publics=list(publics), siaos=[] if program.category in NO_OFFER_CATEGORIES else siaos
    )


def _operator_ids_for(actor: Actor) -> set[int]:
    if actor.role in OPERATOR_ROLES:
        return {actor.organization.pk}
    return set(Organization.objects.filter(kind=OrganizationKind.OPERATOR).values_list("pk", flat=True))


def reviewers_of(program: Program) -> list[str]:
    """The first reviewers, in both circuits: the SIAO administrators of the program's département."""
    memberships = Membership.objects.active().filter(
        role=Role.SIAO_ADMIN,
        organization__kind=OrganizationKind.SIAO,
        organization__departments=program.department_id,
    )
    return sorted(set(memberships.values_list("user__email", flat=True)))


def _notify_reviewers(program: Program) -> None:
    context = {"program": program, "direct": is_validated_directly_by_siao(program.type)}
    subject = f"Dispositif à {'valider' if context['direct'] else 'pré-valider'} : {program.name}"
    message = render_to_string("offer/wizard/emails/program_submitted.txt", context)
    with get_connection() as connection:
        for email in reviewers_of(program):
            send_mail(subject, message, None, [email], connection=connection)
