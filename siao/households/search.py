"""Tolerant person search ("search before create"): accents, case, hyphens, typos, swapped
first and last names, birth date.

Two steps, so that it stays fast at national size (2.5 M persons):
1. *blocking*: an indexed SQL query fetches a bounded set of candidates that share a
   phonetic key of both names (in either order), the exact birth date, or the normalized last
   name with the first name's first letters;
2. *scoring*: rapidfuzz compares each candidate with what was typed (names in both orders,
   birth date with day/month inversion and one-digit typos) and keeps the likely ones.

The keys are kept on Person by its save() (fields *_key and *_sound)."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

import jellyfish
from django.db.models import Q
from rapidfuzz import fuzz

CANDIDATE_LIMIT = 300
BLOCK_LIMIT = 2000  # nationally, before the perimeter
YEARS_AROUND = 2
RESULT_LIMIT = 10
THRESHOLD = 0.72
SAME_FIRST_NAME = 85  # rapidfuzz ratio
_NOT_LETTER = re.compile(r"[^A-Z]")
_SILENT_ENDING = re.compile(r"(?<=...)[SXTDZ]$")


def name_key(value: str) -> str:
    """'Lefèvre-Dupont ' -> 'LEFEVREDUPONT': no accents, no case, letters only."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_LETTER.sub("", without_marks.upper().replace("Œ", "OE").replace("Æ", "AE"))


def sound_key(value: str) -> str:
    """A phonetic key (metaphone on the normalized name, French silent final consonant
    dropped): 'Dupond' and 'Dupont', 'Mohamed' and 'Mouhamed' share it."""
    key = name_key(value)
    if not key:
        return ""
    return jellyfish.metaphone(_SILENT_ENDING.sub("", key))[:8]


@dataclass(frozen=True)
class Match:
    person: object
    score: float
    swapped: bool

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _date_score(typed: datetime.date | None, found: datetime.date | None) -> float | None:
    if typed is None or found is None:
        return None
    if typed == found:
        return 1.0
    if typed.year == found.year and typed.day == found.month and typed.month == found.day:
        return 0.9  # day and month inverted
    same_parts = (typed.year == found.year) + (typed.month == found.month) + (typed.day == found.day)
    if same_parts == 2:
        return 0.75  # one part mistyped
    if typed.year == found.year:
        return 0.3
    return 0.0


def _name_score(typed_last: str, typed_first: str, last: str, first: str) -> float:
    if not typed_first:
        # A last name alone (the 115 on the phone, a street outreach team): scored on it alone.
        return fuzz.ratio(typed_last, last) / 100
    return 0.55 * fuzz.ratio(typed_last, last) / 100 + 0.45 * fuzz.ratio(typed_first, first) / 100


def score(last_name: str, first_name: str, birth_date, person) -> tuple[float, bool]:
    """How likely `person` is the one typed (0..1), and whether the names were swapped."""
    typed_last, typed_first = name_key(last_name), name_key(first_name)
    straight = _name_score(typed_last, typed_first, person.last_name_key, person.first_name_key)
    swapped = _name_score(typed_first, typed_last, person.last_name_key, person.first_name_key) if typed_first else 0.0
    # A birth name (nom de naissance) counts as a last name.
    if person.birth_name:
        birth_key = name_key(person.birth_name)
        straight = max(straight, _name_score(typed_last, typed_first, birth_key, person.first_name_key))
    names = max(straight, swapped)
    dates = _date_score(birth_date, person.birth_date)
    total = names if dates is None else 0.7 * names + 0.3 * dates
    if dates == 1.0 and fuzz.ratio(typed_first, person.first_name_key) >= SAME_FIRST_NAME:
        # Same first name, same birth date, another last name (a marriage name, a usage name,
        # a name misheard on the phone): proposed, at the threshold.
        total = max(total, THRESHOLD)
    return total, swapped > straight


def _prefix(prefix: str) -> dict:
    """first_name_key starting with `prefix`, as a range the (last, first) index serves under
    any collation (keys are A-Z only), where LIKE 'prefix%' would need a C collation."""
    if not prefix:
        return {}
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return {"first_name_key__gte": prefix, "first_name_key__lt": following}


def candidates_q(last_name: str, first_name: str, birth_date: datetime.date | None) -> Q | None:
    """The blocking condition (indexed columns only). None when nothing was typed."""
    last_sound, first_sound = sound_key(last_name), sound_key(first_name)
    last_key, first_key = name_key(last_name), name_key(first_name)
    condition = Q()
    # With a birth date typed, a phonetic match must also be born within two years (or have no
    # birth date): common keys (Martin, Perez...) otherwise block thousands of persons; an
    # exact name or birth date still finds the others. The (sounds, birth date) index serves it.
    near = Q()
    if birth_date is not None:
        low = birth_date.replace(year=birth_date.year - YEARS_AROUND, month=1, day=1)
        high = birth_date.replace(year=birth_date.year + YEARS_AROUND, month=12, day=31)
        near = Q(birth_date__range=(low, high)) | Q(birth_date__isnull=True)
    if last_sound and first_sound:
        condition |= Q(last_name_sound=last_sound, first_name_sound=first_sound) & near
        condition |= Q(last_name_sound=first_sound, first_name_sound=last_sound) & near
    elif last_sound:
        condition |= Q(last_name_sound=last_sound) & near
    if last_key:
        condition |= Q(last_name_key=last_key, **_prefix(first_key[:2]))
    if first_key and last_key:
        condition |= Q(last_name_key=first_key, **_prefix(last_key[:2]))
    if birth_date is not None:
        condition |= Q(birth_date=birth_date)
    return condition or None


def visible_candidate_ids(actor, candidate_ids) -> set[int]:
    """Which of these persons the actor sees (members, now or before, of a household the actor
    sees), checked on the candidates' own households: the perimeter is never scanned whole.
    A single SQL query with the perimeter as a semi-join lets PostgreSQL hash the whole SIAO's
    perimeter when it misestimates it (over a second at national size)."""
    from .models import Household, HouseholdMember

    links = list(HouseholdMember.objects.filter(person_id__in=candidate_ids).values_list("person_id", "household_id"))
    households = {household_id for _, household_id in links}
    visible = set(Household.objects.visible_to(actor).filter(pk__in=households).values_list("pk", flat=True))
    return {person_id for person_id, household_id in links if household_id in visible}


def persons_born_on(actor, birth_date, limit: int = RESULT_LIMIT):
    """The persons of the actor's perimeter born that day (a search by birth date alone), by
    the same two steps: those born that day, then the perimeter checked on their households."""
    from .models import Person

    born = list(Person.objects.filter(birth_date=birth_date).order_by().values_list("pk", flat=True)[:BLOCK_LIMIT])
    visible = visible_candidate_ids(actor, born) if born else set()
    return Person.objects.filter(pk__in=visible).order_by("last_name_key", "first_name_key")[:limit]


def find_similar_persons(actor, *, last_name: str, first_name: str = "", birth_date=None) -> list[Match]:
    """The persons of the actor's perimeter likely to be the person typed, best first.
    Four bounded queries: the blocked candidates, their households, which of those the actor
    sees, the candidates to score."""
    from .models import Person

    condition = candidates_q(last_name, first_name, birth_date)
    if condition is None:
        return []
    blocked = list(Person.objects.filter(condition).order_by().values_list("pk", flat=True)[:BLOCK_LIMIT])
    visible = sorted(visible_candidate_ids(actor, blocked))[:CANDIDATE_LIMIT] if blocked else []
    if not visible:
        return []
    candidates = Person.objects.filter(pk__in=visible).only(
        "pk",
        "public_id",
        "last_name",
        "first_name",
        "birth_name",
        "birth_date",
        "sex",
        "last_name_key",
        "first_name_key",
    )
    matches = []
    for person in candidates:
        value, swapped = score(last_name, first_name, birth_date, person)
        if value >= THRESHOLD:
            matches.append(Match(person=person, score=value, swapped=swapped))
    matches.sort(key=lambda m: -m.score)
    return matches[:RESULT_LIMIT]
