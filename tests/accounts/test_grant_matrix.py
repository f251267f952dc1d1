"""Who may grant which role where (GRANT_MATRIX), and where each role may be held
(ROLE_ORGANIZATION_KINDS), tested as matrices against tables written out by hand here."""

import pytest
from django.core.exceptions import ValidationError

from siao.accounts.actor import Actor
from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.forms import GrantMembershipForm
from siao.accounts.models import Membership
from siao.accounts.permissions import can_grant_membership, can_manage_membership, grantable_roles
from siao.accounts.roles import PROGRAM_ROLES
from tests.factories import (
    MembershipFactory,
    OperatorFactory,
    ProgramFactory,
    default_organization,
    membership_for,
    national_organization,
)

pytestmark = pytest.mark.django_db

R = Role
TARGETS = [
    "own",
    "national",
    "ddets_35",
    "siao_35",
    "operator_35",
    "ddets_29",
    "siao_29",
    "operator_29",
    "operator_29_35",
]
OWN_DDETS = {"own", "ddets_35"}
OWN_SIAO = {"own", "siao_35"}
OPERATORS_OF_35 = {"operator_35", "operator_29_35"}

# EXPECTED[granter][granted]: the targets where the granter may grant the role ("own" is the
# granter's own organization; the granter works in 35). Absent: nowhere.
EXPECTED: dict[str, dict[str, set[str]]] = {
    R.NATIONAL_ADMIN: {role: set(TARGETS) for role in Role.values},
    R.DEPARTMENT_ADMIN: {
        R.DEPARTMENT_ADMIN: OWN_DDETS,
        R.ANALYST: OWN_DDETS,
        R.SIAO_ADMIN: {"siao_35"},
        R.OPERATOR_MANAGER: OPERATORS_OF_35,
    },
    R.ANALYST: {},
    R.SIAO_ADMIN: {
        R.SIAO_OPERATOR: OWN_SIAO,
        R.CALL_HANDLER: OWN_SIAO,
        R.ANALYST: OWN_SIAO,
        R.OPERATOR_MANAGER: OPERATORS_OF_35,
    },
    R.SIAO_OPERATOR: {},
    R.CALL_HANDLER: {},
    R.OPERATOR_MANAGER: {
        R.OPERATOR_MANAGER: {"own"},
        R.ASSISTANT: {"own"},
        R.PROGRAM_MANAGER: {"own"},
        R.SOCIAL_WORKER: {"own"},
    },
    R.ASSISTANT: {R.ASSISTANT: {"own"}, R.PROGRAM_MANAGER: {"own"}, R.SOCIAL_WORKER: {"own"}},
    R.PROGRAM_MANAGER: {},
    R.SOCIAL_WORKER: {},
}


def actor_for(membership: Membership) -> Actor:
    department_ids = set(membership.organization.departments.values_list("pk", flat=True))
    return Actor.for_membership(membership, department_ids, [membership])


def build_targets(granter: Membership) -> dict:
    return {
        "own": granter.organization,
        "national": national_organization(),
        "ddets_35": default_organization(OrganizationKind.STATE_DEPARTMENT, "35"),
        "siao_35": default_organization(OrganizationKind.SIAO, "35"),
        "operator_35": OperatorFactory(department_codes=["35"]),
        "ddets_29": default_organization(OrganizationKind.STATE_DEPARTMENT, "29"),
        "siao_29": default_organization(OrganizationKind.SIAO, "29"),
        "operator_29": OperatorFactory(department_codes=["29"]),
        "operator_29_35": OperatorFactory(department_codes=["29", "35"]),
    }


@pytest.mark.parametrize("granted", Role.values)
@pytest.mark.parametrize("granter", Role.values)
def test_the_grant_matrix_says_where_each_role_may_grant_each_role(granter, granted):
    actor = actor_for(membership_for(granter, code="35"))
    targets = build_targets(actor.membership)
    allowed = {
        name
        for name, organization in targets.items()
        if can_grant_membership(actor, role=granted, organization=organization)
    }
    assert allowed == EXPECTED[granter].get(granted, set())


@pytest.mark.parametrize("granter", Role.values)
def test_grantable_roles_are_the_rows_of_the_matrix(granter):
    actor = actor_for(membership_for(granter))
    assert set(grantable_roles(actor)) == set(EXPECTED[granter])


def _population(granter: Membership, targets: dict) -> list[Membership]:
    """One membership of every role in every organization where that role may be held."""
    memberships = [granter]
    for organization in {org.pk: org for org in targets.values()}.values():
        for role in Role.values:
            if not _kind_allows(role, organization.kind):
                continue
            program = ProgramFactory(operator=organization) if role in PROGRAM_ROLES else None
            memberships.append(MembershipFactory(role=role, organization=organization, program=program))
    return memberships


def _kind_allows(role, kind) -> bool:
    return kind in KINDS_BY_ROLE[role]


@pytest.mark.parametrize("granter", Role.values)
def test_the_memberships_listed_as_manageable_are_exactly_those_the_actor_could_grant(granter):
    actor = actor_for(membership_for(granter))
    targets = build_targets(actor.membership)
    population = _population(actor.membership, targets)
    population_pks = {m.pk for m in population}

    listed = set(Membership.objects.manageable_by(actor).filter(pk__in=population_pks).values_list("pk", flat=True))
    checked = {m.pk for m in population if can_manage_membership(actor, m)}
    assert listed == checked
    if EXPECTED[granter]:
        assert listed, "an administrator manages at least one membership of this population"


@pytest.mark.parametrize("granter", [role for role in Role.values if EXPECTED[role]])
def test_the_grant_form_offers_exactly_the_organizations_where_some_role_may_be_granted(granter):
    actor = actor_for(membership_for(granter))
    targets = build_targets(actor.membership)
    target_pks = {org.pk for org in targets.values()}
    form = GrantMembershipForm(actor=actor)
    offered = set(form.fields["organization"].queryset.filter(pk__in=target_pks).values_list("pk", flat=True))
    expected = {targets[name].pk for names in EXPECTED[granter].values() for name in names}
    assert offered == expected


# Where each role may be held, by hand.
KINDS_BY_ROLE = {
    R.NATIONAL_ADMIN: {OrganizationKind.NATIONAL},
    R.DEPARTMENT_ADMIN: {OrganizationKind.STATE_DEPARTMENT},
    R.ANALYST: {OrganizationKind.NATIONAL, OrganizationKind.STATE_DEPARTMENT, OrganizationKind.SIAO},
    R.SIAO_ADMIN: {OrganizationKind.SIAO},
    R.SIAO_OPERATOR: {OrganizationKind.SIAO},
    R.CALL_HANDLER: {OrganizationKind.SIAO},
    R.OPERATOR_MANAGER: {OrganizationKind.OPERATOR},
    R.ASSISTANT: {OrganizationKind.OPERATOR},
    R.PROGRAM_MANAGER: {OrganizationKind.OPERATOR},
    R.SOCIAL_WORKER: {OrganizationKind.OPERATOR},
}


def organization_of_kind(kind):
    if kind == OrganizationKind.NATIONAL:
        return national_organization()
    if kind == OrganizationKind.OPERATOR:
        return OperatorFactory()
    return default_organization(kind, "35")


def unsaved_membership(role, organization, program=None) -> Membership:
    return Membership(
        user=membership_for(Role.SIAO_OPERATOR).user, role=role, organization=organization, program=program
    )


@pytest.mark.parametrize("kind", OrganizationKind.values)
@pytest.mark.parametrize("role", Role.values)
def test_a_role_may_only_be_held_in_its_kinds_of_organization(role, kind):
    organization = organization_of_kind(kind)
    program = None
    if role in PROGRAM_ROLES:
        program = ProgramFactory(operator=organization if kind == OrganizationKind.OPERATOR else OperatorFactory())
    membership = unsaved_membership(role, organization, program)
    if kind in KINDS_BY_ROLE[role]:
        membership.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            membership.full_clean()
        assert error.value.message_dict == {
            "role": [f"Le profil « {Role(role).label} » ne peut pas être tenu dans cette organisation."]
        }


@pytest.mark.parametrize("role", sorted(PROGRAM_ROLES))
def test_a_program_role_needs_a_program(role):
    membership = unsaved_membership(role, OperatorFactory())
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert error.value.message_dict == {"program": ["Ce profil s'exerce sur un dispositif : choisissez-le."]}


@pytest.mark.parametrize("role", sorted(PROGRAM_ROLES))
def test_a_program_role_needs_a_program_of_the_same_operator(role):
    membership = unsaved_membership(role, OperatorFactory(), program=ProgramFactory())
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert error.value.message_dict == {"program": ["Ce dispositif n'appartient pas à cette entité gestionnaire."]}


@pytest.mark.parametrize("role", [R.OPERATOR_MANAGER, R.ASSISTANT])
def test_an_operator_wide_role_takes_no_program(role):
    operator = OperatorFactory()
    membership = unsaved_membership(role, operator, program=ProgramFactory(operator=operator))
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert error.value.message_dict == {
        "program": ["Ce profil ne s'exerce pas sur un dispositif : laissez ce champ vide."]
    }
