"""Factories shared by the tests. Names and emails are obviously fake."""

import datetime

import factory
from stdnum import luhn

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization, User
from siao.geo.models import Department
from siao.offer.enums import CATEGORY_OF_TYPE, PlaceCategory, PlaceType, ProgramType, ValidationStatus
from siao.offer.models import Place, PlaceGroup, Program


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


def fake_siret(siren: str, n: int = 1) -> str:
    base = f"{siren}{n % 10000:04d}"
    return base + luhn.calc_check_digit(base)


class ProgramFactory(factory.django.DjangoModelFactory):
    """A validated CHRS by default; `validation_status`, `type` (and `category`) to change it."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    operator = factory.SubFactory(OperatorFactory)
    type = ProgramType.CHRS
    category = factory.LazyAttribute(lambda o: CATEGORY_OF_TYPE[o.type])
    name = factory.Sequence(lambda n: f"CHRS - Test {n}")
    siret = factory.LazyAttributeSequence(lambda o, n: fake_siret(o.operator.siren, n))
    department = factory.LazyFunction(lambda: Department.objects.get(code="35"))
    funded_p177 = 10
    total_managed = 10
    validation_status = ValidationStatus.VALIDATED


class PlaceGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaceGroup

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Groupe {n}")
    place_type = PlaceType.INSERTION
    place_category = PlaceCategory.SINGLE_ROOM
    capacity = 3

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        group = super()._create(model_class, *args, **kwargs)
        Place.objects.bulk_create(
            Place(place_group=group, label=f"Place {n}", department_id=group.program.department_id)
            for n in range(1, group.capacity + 1)
        )
        return group


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


# Households (issue 4). Generated, obviously fake identities only.
FAKE_LAST_NAMES = ["Exemple", "Fictif", "Testeur", "Modèle", "Essai", "Démo"]
FAKE_FIRST_NAMES = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Charlie"]


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "households.Person"

    last_name = factory.Sequence(lambda n: f"{FAKE_LAST_NAMES[n % len(FAKE_LAST_NAMES)]}{n}")
    first_name = factory.Sequence(lambda n: FAKE_FIRST_NAMES[n % len(FAKE_FIRST_NAMES)])
    birth_date = datetime.date(1985, 4, 12)
    sex = "F"


def household_with(*, code: str = "35", composition: str = "single_woman", persons=None, program=None, children=0):
    """A household held in département `code` with a head (and `children` children); when
    `program` is given, the program accompanies it (its program roles see it)."""
    from siao.households.models import Accompaniment, Household, HouseholdMember
    from siao.offer.models import Public

    head = (persons or [None])[0] or PersonFactory()
    household = Household.objects.create(
        department=department(code), composition=Public.objects.get(code=composition), head=head
    )
    HouseholdMember.objects.create(household=household, person=head, relationship="head")
    members = [head]
    for person in (persons or [None])[1:]:
        HouseholdMember.objects.create(household=household, person=person, relationship="spouse")
        members.append(person)
    for n in range(children):
        child = PersonFactory(birth_date=datetime.date(2018, 1, 1 + n), first_name=f"Enfant{n}")
        HouseholdMember.objects.create(household=household, person=child, relationship="child")
        members.append(child)
    household.member_count = len(members)
    household.children_count = children
    household.save(update_fields=["member_count", "children_count"])
    if program is not None:
        Accompaniment.objects.create(household=household, program=program)
    return household


def actor_for(membership):
    """The `request.actor` the middleware would build for this membership."""
    from siao.accounts.actor import Actor

    department_ids = set(membership.organization.departments.values_list("pk", flat=True))
    return Actor.for_membership(membership, department_ids, (membership,))
