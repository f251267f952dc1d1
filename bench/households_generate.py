"""Fake national-size household files (issue 4): households in every département, weighted by
population (Paris, Seine-Saint-Denis and the big metropolises heavier), ~2.5 persons per
household, ~3 insertion requests per household (most closed or cancelled, some in the SIAO
queues), their recommendations, status history, referrals and stays, accompaniments, notes,
assessments. Names are common French words drawn at random: no real person.

Needs the offer (bench/offer_generate.py: programs and places) and creates, per département,
one SIAO operator and one social worker who author the data. Incremental: generates only the
households missing to reach `--households`, in transactions of 10 000 households.

    .venv/bin/python -m bench.households_generate --households 20000   # var/bench_households.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_households \\
        .venv/bin/python -m bench.households_generate --households 1000000
"""

import contextlib
import datetime
import functools
import multiprocessing
import random
import sys
import time
import uuid

if __name__ == "__main__":  # python -m bench.households_generate: settings and Django first
    from bench.households import setup_django

    setup_django()

from django.db import connection, connections, transaction  # noqa: E402
from django.db.models.base import ModelState  # noqa: E402
from django.utils import timezone  # noqa: E402

from siao.accounts.enums import OrganizationKind, Role  # noqa: E402
from siao.accounts.models import Membership, Organization, User  # noqa: E402
from siao.geo.models import Department  # noqa: E402
from siao.households.enums import (  # noqa: E402
    AssessmentKind,
    ExitDestination,
    FamilySituation,
    HousingSituation,
    Nationality,
    Relationship,
    RequestReason,
    Section,
    Sex,
)
from siao.households.models import (  # noqa: E402
    Accompaniment,
    Assessment,
    AssessmentSection,
    AssessmentSectionVersion,
    Household,
    HouseholdMember,
    Note,
    Person,
    ResidentialSituation,
)
from siao.households.search import name_key, sound_key  # noqa: E402
from siao.offer.enums import NO_OFFER_CATEGORIES, ProgramType  # noqa: E402
from siao.offer.models import Program, Public  # noqa: E402
from siao.orientation.enums import (  # noqa: E402
    CancelReason,
    ExitReason,
    HouseholdRefusalReason,
    Priority,
    ProgramRefusalReason,
    ReferralStatus,
    RequestKind,
    RequestStatus,
)
from siao.orientation.models import Recommendation, Referral, Request, RequestStatusChange, Stay  # noqa: E402

CHUNK = 10_000  # households per transaction
BATCH = 2_000  # rows per INSERT
HISTORY_DAYS = 6 * 365
USER_DOMAIN = "bench-households.example"

# Population (thousands, rounded) × a factor for where homelessness concentrates (Paris,
# Seine-Saint-Denis, the rest of Île-de-France, the big metropolises, Guyane and Mayotte).
POPULATION = {
    "01": 660, "02": 530, "03": 335, "04": 165, "05": 140, "06": 1095, "07": 330, "08": 270, "09": 155,
    "10": 310, "11": 375, "12": 280, "13": 2045, "14": 695, "15": 145, "16": 350, "17": 655, "18": 300,
    "19": 240, "21": 535, "22": 600, "23": 115, "24": 415, "25": 545, "26": 520, "27": 600, "28": 430,
    "29": 915, "2A": 160, "2B": 180, "30": 750, "31": 1435, "32": 190, "33": 1655, "34": 1200, "35": 1095,
    "36": 220, "37": 610, "38": 1280, "39": 260, "40": 420, "41": 330, "42": 765, "43": 230, "44": 1460,
    "45": 680, "46": 175, "47": 330, "48": 75, "49": 820, "50": 495, "51": 565, "52": 170, "53": 305,
    "54": 730, "55": 180, "56": 765, "57": 1045, "58": 200, "59": 2610, "60": 830, "61": 275, "62": 1460,
    "63": 665, "64": 690, "65": 230, "66": 480, "67": 1150, "68": 765, "69": 1890, "70": 235, "71": 550,
    "72": 565, "73": 440, "74": 840, "75": 2135, "76": 1255, "77": 1435, "78": 1450, "79": 375, "80": 570,
    "81": 390, "82": 260, "83": 1085, "84": 560, "85": 690, "86": 440, "87": 370, "88": 360, "89": 330,
    "90": 140, "91": 1305, "92": 1625, "93": 1660, "94": 1410, "95": 1250, "971": 385, "972": 360,
    "973": 285, "974": 875, "976": 300,
}  # fmt: skip
FACTOR = {"75": 3.0, "93": 2.5, "92": 1.5, "94": 1.5, "95": 1.5, "91": 1.5, "77": 1.5, "78": 1.5, "13": 1.4}
FACTOR |= dict.fromkeys(["69", "59", "31", "33", "06", "67", "44", "34", "973", "976"], 1.3)


def _words(text: str) -> list[str]:
    return text.split()


LAST_NAMES = _words("""Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre
Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefèvre
Faure André Mercier Blanc Guerin Boyer Garnier Chevalier François Legrand Gauthier Garcia Perrin Robin Clement
Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noel Meyer Dufour
Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard
Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe
Bourgeois Pierre Benoit Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert
Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet
Adam Paris Poirier Marty Aubry Guyot Carre Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly
Hervé Schneider Fernandez Collet Leger Bouvier Julien Prevost Millet Perrot Daniel Cousin Germain Breton
Besson Langlois Remy Pelletier Lévêque Perrier Leblanc Barre Lebrun Marchal Weber Mallet Hamon Boulanger
Jacob Monnier Michaud Rodriguez Guichard Gillet Etienne Grondin Poulain Tessier Chevallier Collin Chauvin
Bouvet Gay Diallo Traore Diop Ndiaye Sylla Kone Camara Coulibaly Keita Toure Benali Haddad Mansouri Amrani
Bensaid Belkacem Saidi Brahimi Cherif Nguyen Tran Pham Yilmaz Kaya Popescu Ionescu Silva Santos Ferreira
Pereira Oliveira Costa Rossi Russo Kowalski Nowak Ivanov Petrov Mendy Gomis Sow Ba Fofana Cisse Kamara Bah""")
MALE_FIRST_NAMES = _words("""Jean Pierre Michel Philippe Alain Nicolas Christophe Patrick Daniel Laurent Thierry Eric
Frédéric Stephane David Julien Olivier Pascal Sebastien Franck Bruno Thomas Jérôme Didier Gilles Vincent
Mohamed Ahmed Karim Mamadou Moussa Ibrahim Youssef Ali Omar Samir Rachid Abdel Bakary Seydou Oumar Amadou
Lucas Hugo Louis Gabriel Arthur Jules Adam Raphaël Leo Nathan Enzo Noah Ethan Mathis Yanis Rayan Ilyes
Kevin Dylan Anthony Florian Maxime Romain Alexandre Antoine Guillaume Mehdi Sofiane Bilal Ismaël Souleymane
Dimitri Ion Andrei Marius Tiago Joao Luca Marco Piotr Oleksandr""")
FEMALE_FIRST_NAMES = _words("""Marie Nathalie Isabelle Sylvie Catherine Martine Christine Françoise Valérie Sandrine
Stéphanie Veronique Sophie Céline Chantal Patricia Anne Brigitte Julie Nicole Aurelie Emilie Laetitia
Fatima Aïcha Fatoumata Mariam Aminata Khadija Samira Nadia Leila Karima Rachida Salimata Kadiatou Awa
Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mila Inès Ambre Julia Manon Sarah Camille Lola Zoé Yasmine
Jessica Melissa Laura Amandine Audrey Élodie Marine Pauline Amina Sabrina Nora Sonia Assia Dounia
Elena Maria Ana Ioana Andreea Oksana Olga Natalia Sofia Giulia""")
NOTE_TEXTS = [
    "Entretien réalisé ce jour, situation inchangée.",
    "Le ménage a été reçu au service ; dossier complété.",
    "Appel du 115 : le ménage est toujours sans solution.",
    "Relance du dispositif pour la visite de préadmission.",
    "Pièces justificatives transmises (avis d'imposition, titre de séjour).",
    "Rendez-vous manqué, nouvelle date proposée.",
    "Point avec la PMI : suivi des enfants en cours.",
    "Ouverture des droits CAF en cours, à suivre.",
    "Le ménage souhaite rester à proximité de l'école des enfants.",
    "Orientation présentée au ménage, qui réfléchit.",
]
ASSESSMENT_TEXTS = [
    "Parcours marqué par des ruptures d'hébergement successives.",
    "Ressources faibles mais stables ; projet de logement autonome à moyen terme.",
    "Besoin d'un accompagnement soutenu vers l'emploi.",
    "Hébergé chez des tiers depuis plusieurs mois, la situation n'est plus tenable.",
]

# (composition code, weight, adults, with children, sex of the head: None for either)
COMPOSITIONS = [
    ("single_man", 30, 1, False, "M"),
    ("single_woman", 12, 1, False, "F"),
    ("single_woman_with_children", 22, 1, True, "F"),
    ("single_man_with_children", 3, 1, True, "M"),
    ("couple_with_children", 20, 2, True, None),
    ("couple_without_children", 8, 2, False, None),
    ("adult_group", 2, 3, False, None),
    ("group_with_children", 2, 2, True, None),
    ("unaccompanied_minor", 1, 0, False, None),
]
CHILDREN = ([1, 2, 3, 4, 5], [35, 30, 20, 10, 5])
REQUESTS_PER_HOUSEHOLD = ([1, 2, 3, 4, 5, 6, 7], [25, 20, 18, 14, 10, 7, 6])
# Older requests ended; the last one is sometimes still in the SIAO's queue.
PAST_STATUSES = ([RequestStatus.CLOSED, RequestStatus.CANCELLED], [45, 55])
LAST_STATUSES = (
    [
        RequestStatus.CLOSED,
        RequestStatus.CANCELLED,
        RequestStatus.ADMITTED,
        RequestStatus.WAITING,
        RequestStatus.ORIENTED,
        RequestStatus.TRANSMITTED,
        RequestStatus.TO_UPDATE,
        RequestStatus.DRAFT,
    ],
    [25, 25, 15, 18, 7, 4, 2, 4],
)
# The path each final status walked (from the draft); changes recorded for each step.
PATHS = {
    RequestStatus.DRAFT: [],
    RequestStatus.TRANSMITTED: [RequestStatus.TRANSMITTED],
    RequestStatus.TO_UPDATE: [RequestStatus.TRANSMITTED, RequestStatus.TO_UPDATE],
    RequestStatus.WAITING: [RequestStatus.TRANSMITTED, RequestStatus.WAITING],
    RequestStatus.ORIENTED: [RequestStatus.TRANSMITTED, RequestStatus.WAITING, RequestStatus.ORIENTED],
    RequestStatus.ADMITTED: [
        RequestStatus.TRANSMITTED,
        RequestStatus.WAITING,
        RequestStatus.ORIENTED,
        RequestStatus.ADMITTED,
    ],
    RequestStatus.CLOSED: [
        RequestStatus.TRANSMITTED,
        RequestStatus.WAITING,
        RequestStatus.ORIENTED,
        RequestStatus.ADMITTED,
        RequestStatus.CLOSED,
    ],
    RequestStatus.CANCELLED: [RequestStatus.TRANSMITTED, RequestStatus.WAITING, RequestStatus.CANCELLED],
}
RECOMMENDED_TYPES = [
    ProgramType.CHRS,
    ProgramType.NON_CHRS,
    ProgramType.IML_SUBLETTING,
    ProgramType.FAMILY_BOARDING_HOUSE,
    ProgramType.SOCIAL_RESIDENCE,
    ProgramType.YOUNG_WORKERS_HOSTEL,
    ProgramType.HOTEL,
]
NATIONALITIES = ([Nationality.FRENCH, Nationality.EU, Nationality.NON_EU, Nationality.UNKNOWN], [45, 8, 40, 7])


@functools.cache
def _keys(last: str, first: str) -> tuple[str, str, str, str]:
    return name_key(last), name_key(first), sound_key(last), sound_key(first)


@contextlib.contextmanager
def _timestamps_as_given():
    """created_at/updated_at are auto_now(_add): bulk_create would stamp every row "now". The
    bench gives them a history instead (the queue, notes and journeys sort on them)."""
    fields = [
        field
        for model in (Person, Household, Request, Referral, Stay, Note, Assessment)
        for field in model._meta.concrete_fields
        if field.name in ("created_at", "updated_at")
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def generate_households(households: int, seed: int = 42, workers: int | None = None, log=None) -> dict:
    """Create the households missing to reach `households` (and their whole history), in
    chunks of CHUNK households, each drawn from its own seed (same data whatever the number of
    workers). PostgreSQL: two worker processes by default (Python builds the rows, the server
    inserts them: both cores busy); SQLite: one (a single writer)."""
    existing = Household.objects.count()
    if existing < households:
        if workers is None:
            workers = 2 if connection.vendor == "postgresql" else 1
        global _CONTEXT
        _CONTEXT = _Context.load(seed)
        chunks = [(seed, start, min(CHUNK, households - start)) for start in range(existing, households, CHUNK)]
        started, done = time.perf_counter(), existing
        if workers > 1:
            connections.close_all()  # each forked worker opens its own connection
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap_unordered(_generate_chunk, chunks)
        else:
            pool, results = None, map(_generate_chunk, chunks)
        try:
            for count in results:
                done += count
                if log:
                    elapsed = time.perf_counter() - started
                    log(f"households: {done}/{households} ({(done - existing) / elapsed:.0f}/s, {elapsed:.0f} s)")
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return household_counts()


_CONTEXT = None


def _generate_chunk(task) -> int:
    seed, start, count = task
    with _timestamps_as_given(), transaction.atomic():
        _chunk(random.Random(seed * 1_000_003 + start), _CONTEXT, count)
    return count


def household_counts() -> dict:
    return {
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "requests": Request.objects.count(),
        "in_siao_queues": Request.objects.filter(
            status__in=[RequestStatus.TRANSMITTED, RequestStatus.WAITING, RequestStatus.ORIENTED]
        ).count(),
        "referrals": Referral.objects.count(),
        "stays": Stay.objects.count(),
        "status_changes": RequestStatusChange.objects.count(),
        "notes": Note.objects.count(),
    }


class _Context:
    """What every chunk draws from: départements and their weights, programs, bench users."""

    @classmethod
    def load(cls, seed):
        self = cls()
        departments = list(Department.objects.order_by("code").values_list("pk", "code"))
        self.department_ids = [pk for pk, _ in departments]
        self.cum_weights = []
        total = 0.0
        for _, code in departments:
            total += POPULATION.get(code, 300) * FACTOR.get(code, 1.0)
            self.cum_weights.append(total)
        publics = dict(Public.objects.values_list("code", "pk"))
        self.compositions = [(publics[code], *rest) for code, _, *rest in COMPOSITIONS]
        self.composition_weights = [weight for _, weight, *_ in COMPOSITIONS]
        self.specific_publics = list(Public.objects.filter(kind="specific").values_list("pk", flat=True))
        self.orientable = {pk: [] for pk in self.department_ids}
        for pk, department_id in Program.objects.orientable().values_list("pk", "department_id"):
            self.orientable[department_id].append(pk)
        self.origins = {pk: [] for pk in self.department_ids}
        for pk, department_id, category in Program.objects.values_list("pk", "department_id", "category"):
            # Premier accueil first: they instruct most requests.
            self.origins[department_id] += [pk] * (4 if category in NO_OFFER_CATEGORIES else 1)
        missing = [code for pk, code in departments if not self.orientable[pk]]
        if missing:
            raise RuntimeError(f"no orientable program in {missing}: generate the offer first")
        self.siao_user, self.worker_user, self.siao_org, self.worker_org = {}, {}, {}, {}
        self._bench_users(departments)
        self.reasons = list(RequestReason.values)
        self.housing = list(HousingSituation.values)
        self.exit_destinations = list(ExitDestination.values)
        self.family_situations = list(FamilySituation.values)
        self.now = timezone.now()
        return self

    def _bench_users(self, departments):
        """One Opérateur SIAO and one Travailleur social per département author the data."""
        siaos = dict(
            Organization.objects.filter(kind=OrganizationKind.SIAO).values_list("departments", "pk").order_by("pk")
        )
        programs = {}
        for pk, department_id, operator_id in (
            Program.objects.orientable().order_by("pk").values_list("pk", "department_id", "operator_id")
        ):
            programs.setdefault(department_id, (pk, operator_id))
        for department_id, code in departments:
            siao_user, _ = User.objects.get_or_create(email=f"siao.{code.lower()}@{USER_DOMAIN}")
            Membership.objects.get_or_create(
                user=siao_user, role=Role.SIAO_OPERATOR, organization_id=siaos[department_id]
            )
            program_id, operator_id = programs[department_id]
            worker, _ = User.objects.get_or_create(email=f"ts.{code.lower()}@{USER_DOMAIN}")
            Membership.objects.get_or_create(
                user=worker, role=Role.SOCIAL_WORKER, organization_id=operator_id, program_id=program_id
            )
            self.siao_user[department_id], self.siao_org[department_id] = siao_user.pk, siaos[department_id]
            self.worker_user[department_id], self.worker_org[department_id] = worker.pk, operator_id


class _Fast:
    """A model instance without Model.__init__ (a third of the generator's time at national
    size): the field defaults, then the values given (attnames), a fresh public UUID."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults = {
            f.attname: None if f.primary_key or f.name == "public_id" else f.get_default() for f in fields
        }
        self.public_id = any(f.name == "public_id" for f in fields)

    def __call__(self, **values):
        instance = self.model.__new__(self.model)
        instance.__dict__.update(self.defaults, **values)
        if self.public_id:
            instance.public_id = uuid.uuid4()
        instance._state = ModelState()
        return instance


NEW = {
    model: _Fast(model)
    for model in (
        Person,
        Household,
        HouseholdMember,
        ResidentialSituation,
        Request,
        Recommendation,
        RequestStatusChange,
        Referral,
        Stay,
        Accompaniment,
        Note,
        Assessment,
        AssessmentSection,
        AssessmentSectionVersion,
    )
}


def _birth_date(rng, today, min_age, max_age):
    return today - datetime.timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 + 364))


def _chunk(rng, ctx, count):
    now = ctx.now
    today = timezone.localdate(now)
    department_ids = rng.choices(ctx.department_ids, cum_weights=ctx.cum_weights, k=count)
    compositions = rng.choices(ctx.compositions, weights=ctx.composition_weights, k=count)

    # Persons (the head first), then households, then memberships.
    persons, plans = [], []
    for department_id, (composition_id, adults, with_children, head_sex) in zip(
        department_ids, compositions, strict=True
    ):
        family_name = rng.choice(LAST_NAMES)
        if rng.random() < 0.08:
            family_name = f"{family_name}-{rng.choice(LAST_NAMES)}"
        # Half the files opened over six years, half over the last two (the queues are recent).
        start = rng.randint(0, HISTORY_DAYS if rng.random() < 0.5 else HISTORY_DAYS // 3)
        created = now - datetime.timedelta(days=start, seconds=rng.randint(0, 86_399))
        members = []
        if adults == 0:  # unaccompanied minor
            members.append((Relationship.HEAD, rng.choice("FM"), 15, 17))
        for n in range(adults):
            if n == 0:
                sex = head_sex or rng.choice("FM")
            else:
                sex = rng.choice("FM") if adults > 2 else ("F" if members[0][1] == "M" else "M")
            members.append((Relationship.HEAD if n == 0 else Relationship.SPOUSE, sex, 18, 70))
        children = rng.choices(*CHILDREN)[0] if with_children else 0
        members += [(Relationship.CHILD, rng.choice("FM"), 0, 17) for _ in range(children)]
        for relationship, sex, min_age, max_age in members:
            last = family_name if relationship != Relationship.SPOUSE or rng.random() < 0.6 else rng.choice(LAST_NAMES)
            first = rng.choice(FEMALE_FIRST_NAMES if sex == "F" else MALE_FIRST_NAMES)
            last_key, first_key, last_sound, first_sound = _keys(last, first)
            adult = relationship != Relationship.CHILD
            persons.append(
                NEW[Person](
                    last_name=last.upper() if rng.random() < 0.2 else last,
                    first_name=first,
                    birth_date=_birth_date(rng, today, min_age, max_age),
                    birth_date_is_estimated=rng.random() < 0.03,
                    sex=sex if rng.random() > 0.02 else Sex.UNKNOWN,
                    phone=f"06 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
                    if adult and rng.random() < 0.6
                    else "",
                    family_situation=rng.choice(ctx.family_situations) if adult else FamilySituation.C1,
                    nationality=rng.choices(*NATIONALITIES)[0],
                    monthly_income=rng.choice([None, 0, 300, 600, 900, 1200]) if adult else None,
                    last_name_key=last_key,
                    first_name_key=first_key,
                    last_name_sound=last_sound,
                    first_name_sound=first_sound,
                    created_at=created,
                    updated_at=created,
                )
            )
        plans.append((department_id, composition_id, created, members, children))
    Person.objects.bulk_create(persons, batch_size=BATCH)

    household_rows, member_rows, situations, position = [], [], [], 0
    for department_id, composition_id, created, members, children in plans:
        household_rows.append(
            NEW[Household](
                department_id=department_id,
                composition_id=composition_id,
                head_id=persons[position].pk,
                member_count=len(members),
                children_count=children,
                created_by_id=ctx.siao_user[department_id],
                created_by_organization_id=ctx.siao_org[department_id],
                last_action_at=created,
                created_at=created,
                updated_at=created,
            )
        )
        for relationship, *_ in members:
            member_rows.append((persons[position].pk, relationship, created))
            position += 1
        situations.append(
            NEW[ResidentialSituation](
                person_id=persons[position - len(members)].pk,
                situation=rng.choice(ctx.housing),
                since=timezone.localdate(created) - datetime.timedelta(days=rng.randint(0, 400)),
                recorded_at=created,
                recorded_by_id=ctx.siao_user[department_id],
            )
        )
    Household.objects.bulk_create(household_rows, batch_size=BATCH)
    members, position = [], 0
    for household, (_, _, _, plan_members, _) in zip(household_rows, plans, strict=True):
        for _ in plan_members:
            person_id, relationship, created = member_rows[position]
            members.append(
                NEW[HouseholdMember](
                    household_id=household.pk,
                    person_id=person_id,
                    relationship=relationship,
                    joined_on=timezone.localdate(created),
                )
            )
            position += 1
    HouseholdMember.objects.bulk_create(members, batch_size=BATCH)
    ResidentialSituation.objects.bulk_create(situations, batch_size=BATCH)
    through = Household.specific_publics.through
    new_through = _Fast(through)
    through.objects.bulk_create(
        [
            new_through(household_id=household.pk, public_id=rng.choice(ctx.specific_publics))
            for household in household_rows
            if rng.random() < 0.12
        ],
        batch_size=BATCH,
    )

    # Requests: spread from the file's creation to now, the last one maybe still open.
    requests, request_plans = [], []
    for household in household_rows:
        department_id = household.department_id
        k = rng.choices(*REQUESTS_PER_HOUSEHOLD)[0]
        span = (now - household.created_at).total_seconds()
        moments = sorted(household.created_at + datetime.timedelta(seconds=rng.random() * span) for _ in range(k))
        moments[0] = household.created_at
        for i, created in enumerate(moments):
            last = i == k - 1
            status = rng.choices(*(LAST_STATUSES if last else PAST_STATUSES))[0]
            target = department_id if rng.random() > 0.03 else rng.choice(ctx.department_ids)
            origins = ctx.origins[target]
            origin = rng.choice(origins) if origins and rng.random() < 0.85 else None
            transmitted = None
            if status != RequestStatus.DRAFT:
                transmitted = created + datetime.timedelta(days=rng.randint(0, 10), seconds=rng.randint(0, 86_399))
                transmitted = min(transmitted, now)
            open_ = status in (RequestStatus.TRANSMITTED, RequestStatus.WAITING, RequestStatus.ORIENTED)
            priority = Priority.NORMAL
            if open_:
                priority = rng.choices([Priority.NORMAL, Priority.HIGH, Priority.URGENT], [92, 6, 2])[0]
            requests.append(
                NEW[Request](
                    household_id=household.pk,
                    kind=RequestKind.INSERTION if rng.random() < 0.9 else RequestKind.EMERGENCY,
                    status=status,
                    status_before_cancel=RequestStatus.WAITING if status == RequestStatus.CANCELLED else "",
                    department_id=target,
                    origin_program_id=origin,
                    reason=rng.choice(ctx.reasons),
                    housing_situation=rng.choice(ctx.housing),
                    comment="Demande d'hébergement d'insertion." if rng.random() < 0.5 else "",
                    priority=priority,
                    transmitted_at=transmitted,
                    seniority_from=transmitted,
                    cancel_reason=rng.choice(CancelReason.values) if status == RequestStatus.CANCELLED else "",
                    created_by_id=ctx.worker_user[department_id] if origin else ctx.siao_user[target],
                    version=len(PATHS[status]),
                    created_at=created,
                    updated_at=created,
                )
            )
            request_plans.append((status, transmitted, last))
    Request.objects.bulk_create(requests, batch_size=BATCH)

    recommendations, changes, referrals, referral_plans = [], [], [], []
    for request, (status, transmitted, last) in zip(requests, request_plans, strict=True):
        if status != RequestStatus.DRAFT:
            for program_type in rng.sample(RECOMMENDED_TYPES, rng.choices([1, 2, 3], [60, 30, 10])[0]):
                recommendations.append(NEW[Recommendation](request_id=request.pk, program_type=program_type))
        # The journey: a few days to a few months between steps, never in the future; every
        # step of the household's last request recorded, only the last step of older ones.
        moment, previous = transmitted, RequestStatus.DRAFT
        steps = []
        for n, to_status in enumerate(PATHS[status]):
            steps.append(moment)
            if last or n == len(PATHS[status]) - 1:
                changes.append(
                    NEW[RequestStatusChange](
                        request_id=request.pk,
                        from_status=previous,
                        to_status=to_status,
                        changed_at=moment,
                        changed_by_id=ctx.siao_user[request.department_id],
                    )
                )
            previous = to_status
            moment = min(now, moment + datetime.timedelta(days=rng.randint(1, 120), seconds=rng.randint(0, 86_399)))
        # Referrals: refused ones before, then the active or admitted one.
        programs = ctx.orientable[request.department_id]
        if status in (RequestStatus.ORIENTED, RequestStatus.ADMITTED, RequestStatus.CLOSED):
            oriented_at = steps[2]
            chosen = rng.sample(programs, min(len(programs), rng.choices([1, 2, 3], [60, 28, 12])[0]))
            for n, program_id in enumerate(chosen):
                final = n == len(chosen) - 1
                if not final:
                    referral_status = rng.choice(
                        [ReferralStatus.REFUSED_BY_PROGRAM, ReferralStatus.REFUSED_BY_HOUSEHOLD]
                    )
                elif status == RequestStatus.ORIENTED:
                    referral_status = rng.choices([ReferralStatus.PROPOSED, ReferralStatus.ACCEPTED], [60, 40])[0]
                else:
                    referral_status = ReferralStatus.ADMITTED
                admitted_on = steps[3] if status != RequestStatus.ORIENTED else None
                ended_on = steps[4] if status == RequestStatus.CLOSED else None
                referral_plans.append((request, referral_status, admitted_on if final else None, ended_on))
                referrals.append(_referral(rng, ctx, request, program_id, referral_status, oriented_at, now))
        elif status == RequestStatus.WAITING and rng.random() < 0.4 and len(steps) > 1:
            referral_status = rng.choice([ReferralStatus.REFUSED_BY_PROGRAM, ReferralStatus.REFUSED_BY_HOUSEHOLD])
            referral_plans.append((request, referral_status, None, None))
            referrals.append(_referral(rng, ctx, request, rng.choice(programs), referral_status, steps[1], now))
        elif status == RequestStatus.CANCELLED and rng.random() < 0.3:
            referral_plans.append((request, ReferralStatus.WITHDRAWN, None, None))
            referrals.append(
                _referral(rng, ctx, request, rng.choice(programs), ReferralStatus.WITHDRAWN, steps[1], now)
            )
    Recommendation.objects.bulk_create(recommendations, batch_size=BATCH)
    RequestStatusChange.objects.bulk_create(changes, batch_size=BATCH)
    Referral.objects.bulk_create(referrals, batch_size=BATCH)

    stays = []
    for referral, (request, referral_status, admitted_at, ended_at) in zip(referrals, referral_plans, strict=True):
        if referral_status != ReferralStatus.ADMITTED or admitted_at is None:
            continue
        started_on = timezone.localdate(admitted_at)
        ended_on = timezone.localdate(ended_at) if ended_at else None
        ended_on = max(ended_on, started_on) if ended_on else None
        stays.append(
            NEW[Stay](
                household_id=request.household_id,
                program_id=referral.program_id,
                request_id=request.pk,
                referral_id=referral.pk,
                started_on=started_on,
                ended_on=ended_on,
                exit_reason=rng.choice(ExitReason.values) if ended_on else "",
                exit_destination=rng.choice(ctx.exit_destinations) if ended_on else None,
                admitted_by_id=referral.decided_by_id,
                ended_by_id=referral.decided_by_id if ended_on else None,
                created_at=admitted_at,
                updated_at=ended_at or admitted_at,
            )
        )
    Stay.objects.bulk_create(stays, batch_size=BATCH)

    # Accompaniment by the program that instructed the last request; notes; assessments.
    last_requests = {}
    for request, (status, *_) in zip(requests, request_plans, strict=True):
        last_requests[request.household_id] = (request, status)
    accompaniments, notes, assessments = [], [], []
    for household in household_rows:
        request, status = last_requests[household.pk]
        department_id = household.department_id
        if request.origin_program_id:
            still = status not in (RequestStatus.CLOSED, RequestStatus.CANCELLED)
            accompaniments.append(
                NEW[Accompaniment](
                    household_id=household.pk,
                    program_id=request.origin_program_id,
                    started_on=timezone.localdate(request.created_at),
                    ended_on=None if still else today - datetime.timedelta(days=rng.randint(0, 60)),
                    started_by_id=ctx.worker_user[department_id],
                )
            )
        span = (now - household.created_at).total_seconds()
        for _ in range(rng.choices([0, 1, 2, 3, 4, 6], [28, 30, 20, 12, 7, 3])[0]):
            at = household.created_at + datetime.timedelta(seconds=rng.random() * span)
            siao = rng.random() < 0.5
            notes.append(
                NEW[Note](
                    household_id=household.pk,
                    text=rng.choice(NOTE_TEXTS),
                    author_id=ctx.siao_user[department_id] if siao else ctx.worker_user[department_id],
                    author_role=Role.SIAO_OPERATOR if siao else Role.SOCIAL_WORKER,
                    author_organization_id=ctx.siao_org[department_id] if siao else ctx.worker_org[department_id],
                    created_at=at,
                    updated_at=at,
                )
            )
        if rng.random() < 0.35:
            at = request.created_at
            assessments.append(
                NEW[Assessment](
                    household_id=household.pk,
                    kind=AssessmentKind.IN_DEPTH if rng.random() < 0.6 else AssessmentKind.SOCIAL,
                    author_id=ctx.worker_user[department_id],
                    author_organization_id=ctx.worker_org[department_id],
                    program_id=request.origin_program_id,
                    created_at=at,
                    updated_at=at,
                )
            )
    Accompaniment.objects.bulk_create(accompaniments, batch_size=BATCH)
    Note.objects.bulk_create(notes, batch_size=BATCH)
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    sections = []
    for assessment in assessments:
        chosen = [Section.FAMILY, Section.HOUSING, Section.BUDGET]
        if rng.random() < 0.3:
            chosen.append(Section.HEALTH)
        for section in chosen:
            sections.append(
                NEW[AssessmentSection](
                    assessment_id=assessment.pk,
                    section=section,
                    data={},
                    text=rng.choice(ASSESSMENT_TEXTS),
                    version=1,
                    updated_at=assessment.created_at,
                    updated_by_id=assessment.author_id,
                )
            )
    AssessmentSection.objects.bulk_create(sections, batch_size=BATCH)
    AssessmentSectionVersion.objects.bulk_create(
        [
            NEW[AssessmentSectionVersion](
                section_id=section.pk,
                version=1,
                data={},
                text=section.text,
                changed_fields=["text"],
                changed_at=section.updated_at,
                changed_by_id=section.updated_by_id,
                changed_by_role=Role.SOCIAL_WORKER,
            )
            for section in sections
        ],
        batch_size=BATCH,
    )


def _referral(rng, ctx, request, program_id, status, proposed_at, now):
    decided = status != ReferralStatus.PROPOSED
    decided_at = min(now, proposed_at + datetime.timedelta(days=rng.randint(1, 30))) if decided else None
    return NEW[Referral](
        request_id=request.pk,
        program_id=program_id,
        status=status,
        comment="Orientation proposée en commission." if rng.random() < 0.3 else "",
        proposed_by_id=ctx.siao_user[request.department_id],
        proposed_at=proposed_at,
        decided_by_id=ctx.worker_user[request.department_id] if decided else None,
        decided_at=decided_at,
        program_refusal_reason=rng.choice(ProgramRefusalReason.values)
        if status == ReferralStatus.REFUSED_BY_PROGRAM
        else "",
        household_refusal_reason=rng.choice(HouseholdRefusalReason.values)
        if status == ReferralStatus.REFUSED_BY_HOUSEHOLD
        else "",
        household_refusal_justified=rng.random() < 0.5 if status == ReferralStatus.REFUSED_BY_HOUSEHOLD else None,
        created_at=proposed_at,
        updated_at=decided_at or proposed_at,
    )


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, help="processes (default: 2 on PostgreSQL, 1 on SQLite)")
    args = parser.parse_args(argv)
    from django.core.management import call_command

    from bench.offer_generate import generate_offer

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    offer = generate_offer()
    print(f"offer: {offer} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    started = time.perf_counter()
    counts = generate_households(
        args.households, seed=args.seed, workers=args.workers, log=lambda line: print(line, file=sys.stderr)
    )
    print(f"households: {counts} ({time.perf_counter() - started:.1f} s) on {connection.vendor}", file=sys.stderr)


if __name__ == "__main__":
    main()
