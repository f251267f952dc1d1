"""The family composition of a household, computed from its members (adults and children by
age today, sexes, a spouse making a couple), as one of the seed's composition publics
(siao/offer/defaults.py COMPOSITIONS). The person recording it may override it."""

import datetime

from django.utils import timezone

from .enums import Relationship, Sex

ADULT_AGE = 18


def is_child(birth_date: datetime.date | None, on: datetime.date | None = None) -> bool:
    """Under 18 today. An unknown birth date counts as an adult (the usual case at the 115)."""
    if birth_date is None:
        return False
    on = on or timezone.localdate()
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return age < ADULT_AGE


def compute_composition(members: list[tuple[object, str]], on: datetime.date | None = None) -> str | None:
    """`members`: (person, relationship) pairs, the head included. Returns a composition code,
    or None when it cannot be told (one adult whose sex is not known)."""
    adults = [(p, r) for p, r in members if not is_child(p.birth_date, on)]
    children = len(members) - len(adults)
    if not members:
        return None
    if not adults:
        return "unaccompanied_minor" if children == 1 else "minors_group"
    couple = any(r == Relationship.SPOUSE for _, r in adults)
    if couple and len(adults) == 2:
        return "couple_with_children" if children else "couple_without_children"
    if len(adults) >= 2:
        return "group_with_children" if children else "adult_group"
    sex = adults[0][0].sex
    if sex == Sex.UNKNOWN:
        return None
    single = "single_woman" if sex == Sex.FEMALE else "single_man"
    return f"{single}_with_children" if children else single


def count_children(persons, on: datetime.date | None = None) -> int:
    return sum(1 for person in persons if is_child(person.birth_date, on))
