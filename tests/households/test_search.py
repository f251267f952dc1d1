"""The tolerant person search ("search before create"): accents, typos, swapped names, day and
month inverted, birth name; and only within the actor's perimeter."""

import datetime

import pytest

from siao.accounts.enums import Role
from siao.households.search import find_similar_persons
from tests.factories import PersonFactory, actor_for, household_with, membership_for

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1984, 3, 9)


@pytest.fixture
def operator():
    return actor_for(membership_for(Role.SIAO_OPERATOR))


@pytest.fixture
def person():
    person = PersonFactory(last_name="Lefèvre-Dupont", first_name="Émilie", birth_name="Martin", birth_date=BIRTH)
    household_with(persons=[person])
    return person


def found(actor, **typed):
    typed.setdefault("birth_date", None)
    return [match.person for match in find_similar_persons(actor, **typed)]


@pytest.mark.parametrize(
    "typed",
    [
        {"last_name": "LEFEVRE DUPONT", "first_name": "emilie"},  # accents, case, hyphen
        {"last_name": "Lefevre-Dupond", "first_name": "Emilie"},  # typo
        {"last_name": "Lefèvre-Dupont", "first_name": "Emillie", "birth_date": BIRTH},  # typo with birth date
        {"last_name": "Émilie", "first_name": "Lefèvre-Dupont"},  # swapped names
        {"last_name": "Lefèvre-Dupont", "first_name": "Émilie", "birth_date": datetime.date(1984, 9, 3)},  # day/month
        {"last_name": "Martin", "first_name": "Émilie", "birth_date": BIRTH},  # birth name
    ],
)
def test_the_search_tolerates(operator, person, typed):
    assert found(operator, **typed) == [person]


def test_swapped_names_are_flagged(operator, person):
    matches = find_similar_persons(operator, last_name="Émilie", first_name="Lefèvre-Dupont")
    assert matches[0].swapped and matches[0].percent >= 72


def test_a_different_person_is_not_proposed(operator, person):
    assert found(operator, last_name="Fictif", first_name="Claude", birth_date=datetime.date(2001, 1, 1)) == []


def test_persons_out_of_the_perimeter_are_never_proposed(person):
    elsewhere = actor_for(membership_for(Role.SIAO_OPERATOR, "29"))
    assert found(elsewhere, last_name="Lefèvre-Dupont", first_name="Émilie", birth_date=BIRTH) == []
    analyst = actor_for(membership_for(Role.ANALYST))
    assert found(analyst, last_name="Lefèvre-Dupont", first_name="Émilie", birth_date=BIRTH) == []


def test_same_first_name_and_birth_date_with_another_last_name_is_proposed(operator, person):
    # A usage or marriage name: the first name and the birth date are the same.
    assert found(operator, last_name="Xyz", first_name="Emilie", birth_date=BIRTH) == [person]
    assert found(operator, last_name="Xyz", first_name="Claude", birth_date=BIRTH) == []


@pytest.mark.django_db
def test_a_last_name_alone_finds_the_person_despite_a_typo():
    """On the phone the 115 often only has a surname; a street outreach team too."""
    from siao.accounts.enums import Role
    from siao.households.search import find_similar_persons
    from tests.factories import PersonFactory, actor_for, household_with, membership_for

    person = PersonFactory(last_name="Le Guennec", first_name="Morgane")
    household_with(persons=[person])
    actor = actor_for(membership_for(Role.CALL_HANDLER))
    assert [match.person for match in find_similar_persons(actor, last_name="Leguenec")] == [person]
    assert find_similar_persons(actor, last_name="Dupuis") == []
