"""Factories shared by the tests. Names and emails are obviously fake."""

import factory
from stdnum import luhn

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization, User
from siao.geo.models import Department
from siao.offer.models import Program


def fake_siren(n: int) -> str:
    base = f"99{n:06d}"[:8]
    return base + luhn.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"agent{n}@structure-test.example")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Test{n}")


def department(code: str) -> Department:
    return Department.objects.get(code=code)


def default_organization(kind: str, code: str) -> Organization:
    """The DDETS or SIAO created by migration for a département."""
    return Organization.objects.get(kind=kind, departments__code=code)


def national_organization() -> Organization:
    return Organization.objects.get(kind=OrganizationKind.NATIONAL)


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    kind = OrganizationKind.OPERATOR
    name = factory.Sequence(lambda n: f"Association Test {n}")
    siren = factory.Sequence(fake_siren)

    @factory.post_generation
    def department_codes(self, create, extracted, **kwargs):
        if create:
            self.departments.add(*Department.objects.filter(code__in=extracted or ["35"]))


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    operator = factory.SubFactory(OperatorFactory)
    name = factory.Sequence(lambda n: f"CHRS - Test {n}")
    department = factory.LazyFunction(lambda: Department.objects.get(code="35"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.SIAO_OPERATOR
    organization = factory.LazyFunction(lambda: default_organization(OrganizationKind.SIAO, "35"))


# Where each role lives by default in tests: département 35 (and 29 for "elsewhere").
def membership_for(role: str, code: str = "35", **kwargs) -> Membership:
    if role in (Role.NATIONAL_ADMIN,):
        organization = national_organization()
    elif role in (Role.DEPARTMENT_ADMIN, Role.ANALYST):
        organization = default_organization(OrganizationKind.STATE_DEPARTMENT, code)
    elif role in (Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER):
        organization = default_organization(OrganizationKind.SIAO, code)
    else:
        organization = kwargs.pop("organization", None) or OperatorFactory(department_codes=[code])
    program = kwargs.pop("program", None)
    if role in (Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER) and program is None:
        program = ProgramFactory(operator=organization, department=department(code))
    return MembershipFactory(role=role, organization=organization, program=program, **kwargs)
