"""Fake national-size household files (issue 4): households in every département, weighted by
population (Paris, Seine-Saint-Denis and the big metropolises heavier), ~2.5 persons per
household, ~3 insertion requests per household (most closed or cancelled, some in the SIAO
queues), their recommendations, status history, referrals and stays, accompaniments, notes,
assessments. Names are common French words drawn at random: no real person.

Needs the offer (bench/offer_generate.py: programs and places) and creates, per département,
one SIAO operator and one social worker who author the data. Incremental: generates only the
households missing to reach `--households`, in transactions of 10 000 households. PostgreSQL:
rows built in Python with reserved ids and loaded by COPY, two worker processes; SQLite:
bulk_create (for small sizes).

    .venv/bin/python -m bench.households_generate --households 20000   # var/bench_households.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_households \\
        .venv/bin/python -m bench.households_generate --households 1000000
"""

import bisect
import contextlib
import datetime
import functools
import itertools
import json
import multiprocessing
import random
import sys
import time
import uuid

if __name__ == "__main__":  # python -m bench.households_generate: settings and Django first
    from bench.households import setup_django

    setup_django()

from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import JSONField, UUIDField  # noqa: E402
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
def _keys(name: str) -> tuple[str, str]:
    """name_key and sound_key of a name (few distinct names: computed once each)."""
    return name_key(name), sound_key(name)


def _weighted(values, weights):
    """(values, cumulative weights, total) for _pick: rng.choices recomputes them at each call."""
    return list(values), list(itertools.accumulate(weights)), sum(weights)


def _pick(rng, weighted):
    values, cum_weights, total = weighted
    return values[bisect.bisect(cum_weights, rng.random() * total)]


def _localdate(moment):
    """timezone.localdate() without its per-call lookup of the current time zone."""
    return moment.astimezone(LOCAL_TZ).date()


LOCAL_TZ = timezone.get_default_timezone()
W_CHILDREN = _weighted(*CHILDREN)
W_NATIONALITIES = _weighted(*NATIONALITIES)
W_REQUESTS = _weighted(*REQUESTS_PER_HOUSEHOLD)
W_LAST_STATUSES = _weighted(*LAST_STATUSES)
W_PAST_STATUSES = _weighted(*PAST_STATUSES)
W_PRIORITIES = _weighted([Priority.NORMAL, Priority.HIGH, Priority.URGENT], [92, 6, 2])
W_RECOMMENDATIONS = _weighted([1, 2, 3], [60, 30, 10])
W_REFERRALS = _weighted([1, 2, 3], [60, 28, 12])
W_ACTIVE_REFERRAL = _weighted([ReferralStatus.PROPOSED, ReferralStatus.ACCEPTED], [60, 40])
W_NOTES = _weighted([0, 1, 2, 3, 4, 6], [28, 30, 20, 12, 7, 3])
CANCEL_REASONS = list(CancelReason.values)
EXIT_REASONS = list(ExitReason.values)
PROGRAM_REFUSAL_REASONS = list(ProgramRefusalReason.values)
HOUSEHOLD_REFUSAL_REASONS = list(HouseholdRefusalReason.values)


@contextlib.contextmanager
def _timestamps_as_given():
    """created_at/updated_at are auto_now(_add): bulk_create (SQLite) would stamp every row
    "now". The bench gives them a history instead (the queue, notes and journeys sort on them)."""
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


def generate_households(
    households: int, seed: int = 42, workers: int | None = None, log=None, check_foreign_keys: bool = True
) -> dict:
    """Create the households missing to reach `households` (and their whole history), in
    chunks of CHUNK households, each drawn from its own seed (same data whatever the number of
    workers; only the ids differ, in the order the chunks end).

    Rows are built as tuples with ids taken from ranges reserved on a shared counter (started at
    each table's max(id)), then loaded by COPY on PostgreSQL (two worker processes by default:
    Python builds the rows, the server loads them, both cores busy), by bulk_create on SQLite
    (one process: a single writer). The sequences are set past the ids used at the end.

    PostgreSQL, as a superuser: the workers load with `session_replication_role = replica`, i.e.
    without the foreign-key triggers (one lookup per key per row at commit: most of the server's
    time otherwise); the rows are consistent by construction, and every foreign key of the loaded
    tables is checked afterwards by one anti-join each (`check_foreign_keys`)."""
    existing = Household.objects.count()
    postgresql = connection.vendor == "postgresql"
    loaded = existing < households
    if loaded:
        if workers is None:
            workers = 2 if postgresql else 1
        global _CONTEXT, _IDS
        _CONTEXT = _Context.load(seed)
        _IDS = multiprocessing.get_context("fork").Array("q", [_max_id(table.model) for table in TABLES.values()])
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
        if postgresql:
            with connection.cursor() as cursor:
                for table in TABLES.values():
                    name = table.model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {name}))",  # noqa: S608 (model table)
                        [name],
                    )
    if postgresql:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if loaded:
                # The visibility map too, as autovacuum would set it in time (index-only scans,
                # counts): otherwise the figures depend on when autovacuum passes.
                tables = ", ".join(table.model._meta.db_table for table in TABLES.values())
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
            cursor.execute("ANALYZE")
        if log:
            log(f"{'VACUUM, ' if loaded else ''}ANALYZE ({time.perf_counter() - started:.0f} s)")
        if loaded and check_foreign_keys:
            started = time.perf_counter()
            orphans = _orphans()
            if orphans:
                raise RuntimeError(f"foreign keys broken by the load: {orphans}")
            if log:
                log(f"foreign keys of the loaded tables checked ({time.perf_counter() - started:.0f} s)")
    return household_counts()


_CONTEXT = None
_IDS = None  # per table of TABLES: the last id handed out (shared by the worker processes)


def _max_id(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _generate_chunk(task) -> int:
    seed, start, count = task
    sink = _Sink()
    _chunk(random.Random(seed * 1_000_003 + start), _CONTEXT, count, sink)
    sink.flush()
    return count


def _orphans() -> list[str]:
    """The foreign keys of the loaded tables that point nowhere (one anti-join each)."""
    tables = [table.model._meta.db_table for table in TABLES.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
               FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
               WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)""",
            [tables],
        )
        broken = []
        for table, column, target, target_column in cursor.fetchall():
            sql = (  # names from the catalog
                f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {target} p WHERE p.{target_column} = t.{column})"
            )
            cursor.execute(sql)
            (count,) = cursor.fetchone()
            if count:
                broken.append(f"{table}.{column} → {target}: {count}")
    return broken


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


class _Table:
    """A loaded table: its columns in the model's order (the id first), a row template of the
    field defaults, and its slot in the shared id counters."""

    def __init__(self, model, slot):
        self.model, self.slot = model, slot
        fields = model._meta.concrete_fields
        if not fields[0].primary_key:
            raise TypeError(f"{model}: the id must be the first column")
        self.columns = [field.column for field in fields]
        self.attnames = [field.attname for field in fields]
        self.position = {name: i for i, name in enumerate(self.attnames)}
        self.template = [
            None if field.primary_key or isinstance(field, UUIDField) else field.get_default() for field in fields
        ]
        self.json = [i for i, field in enumerate(fields) if isinstance(field, JSONField)]
        uuids = [i for i, field in enumerate(fields) if isinstance(field, UUIDField)]  # public_id
        self.public_id = uuids[0] if uuids else None
        self.copy_sql = f"COPY {model._meta.db_table} ({', '.join(self.columns)}) FROM STDIN"

    def new(self, rng, **values) -> list:
        """A row: the defaults, the values given (attnames), a public UUID from the chunk's
        random generator (reproducible)."""
        row = self.template.copy()
        position = self.position
        for name, value in values.items():
            row[position[name]] = value
        if self.public_id is not None:
            row[self.public_id] = uuid.UUID(int=rng.getrandbits(128), version=4)
        return row


TABLES = {
    model: _Table(model, slot)
    for slot, model in enumerate(
        [
            Person,
            Household,
            HouseholdMember,
            ResidentialSituation,
            Household.specific_publics.through,
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
        ]
    )
}


class _Sink:
    """A chunk's rows, table by table (parents first): ids given from a range reserved on the
    shared counters, then written in one transaction: COPY on PostgreSQL, bulk_create on SQLite."""

    def __init__(self):
        self.tables = []

    def add(self, model, rows):
        table = TABLES[model]
        if rows:
            with _IDS.get_lock():
                base = _IDS[table.slot] + 1
                _IDS[table.slot] += len(rows)
            for pk, row in enumerate(rows, base):
                row[0] = pk
        self.tables.append((table, rows))

    def flush(self):
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg's own cursor, in Django's transaction
                raw.execute("SET LOCAL synchronous_commit = off")
                if _superuser():
                    raw.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
                for table, rows in self.tables:
                    if not rows:
                        continue
                    json_columns = table.json
                    with raw.copy(table.copy_sql) as copy:
                        write = copy.write_row
                        if json_columns:
                            for row in rows:
                                for i in json_columns:
                                    row[i] = json.dumps(row[i])
                                write(row)
                        else:
                            for row in rows:
                                write(row)
        else:
            with _timestamps_as_given(), transaction.atomic():
                for table, rows in self.tables:
                    model, attnames = table.model, table.attnames
                    instances = []
                    for row in rows:
                        instance = model.__new__(model)
                        instance.__dict__.update(zip(attnames, row, strict=True))
                        instance._state = ModelState()
                        instances.append(instance)
                    model.objects.bulk_create(instances, batch_size=BATCH)


@functools.cache
def _superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return cursor.fetchone()[0]


def _birth_date(rng, today, min_age, max_age):
    return today - datetime.timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 + 364))


def _chunk(rng, ctx, count, sink):
    now = ctx.now
    today = timezone.localdate(now)
    department_ids = rng.choices(ctx.department_ids, cum_weights=ctx.cum_weights, k=count)
    compositions = rng.choices(ctx.compositions, weights=ctx.composition_weights, k=count)
    new_person, new_household, new_member = TABLES[Person].new, TABLES[Household].new, TABLES[HouseholdMember].new

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
        children = _pick(rng, W_CHILDREN) if with_children else 0
        members += [(Relationship.CHILD, rng.choice("FM"), 0, 17) for _ in range(children)]
        for relationship, sex, min_age, max_age in members:
            last = family_name if relationship != Relationship.SPOUSE or rng.random() < 0.6 else rng.choice(LAST_NAMES)
            first = rng.choice(FEMALE_FIRST_NAMES if sex == "F" else MALE_FIRST_NAMES)
            (last_key, last_sound), (first_key, first_sound) = _keys(last), _keys(first)
            adult = relationship != Relationship.CHILD
            persons.append(
                new_person(
                    rng,
                    last_name=last.upper() if rng.random() < 0.2 else last,
                    first_name=first,
                    birth_date=_birth_date(rng, today, min_age, max_age),
                    birth_date_is_estimated=rng.random() < 0.03,
                    sex=sex if rng.random() > 0.02 else Sex.UNKNOWN,
                    phone=f"06 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
                    if adult and rng.random() < 0.6
                    else "",
                    family_situation=rng.choice(ctx.family_situations) if adult else FamilySituation.C1,
                    nationality=_pick(rng, W_NATIONALITIES),
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
    sink.add(Person, persons)

    # (id, département, created) of each household, once its id is given.
    household_rows, member_plans, situations, position = [], [], [], 0
    new_situation = TABLES[ResidentialSituation].new
    for department_id, composition_id, created, members, children in plans:
        head_id = persons[position][0]
        household_rows.append(
            new_household(
                rng,
                department_id=department_id,
                composition_id=composition_id,
                head_id=head_id,
                member_count=len(members),
                children_count=children,
                created_by_id=ctx.siao_user[department_id],
                created_by_organization_id=ctx.siao_org[department_id],
                last_action_at=created,
                created_at=created,
                updated_at=created,
            )
        )
        joined_on = _localdate(created)
        for relationship, *_ in members:
            member_plans.append((persons[position][0], relationship, joined_on))
            position += 1
        situations.append(
            new_situation(
                rng,
                person_id=head_id,
                situation=rng.choice(ctx.housing),
                since=joined_on - datetime.timedelta(days=rng.randint(0, 400)),
                recorded_at=created,
                recorded_by_id=ctx.siao_user[department_id],
            )
        )
    sink.add(Household, household_rows)
    households = [
        (row[0], department_id, created)
        for row, (department_id, _, created, _, _) in zip(household_rows, plans, strict=True)
    ]
    members, position = [], 0
    for (household_id, _, _), (_, _, _, plan_members, _) in zip(households, plans, strict=True):
        for _ in plan_members:
            person_id, relationship, joined_on = member_plans[position]
            members.append(
                new_member(
                    rng, household_id=household_id, person_id=person_id, relationship=relationship, joined_on=joined_on
                )
            )
            position += 1
    sink.add(HouseholdMember, members)
    sink.add(ResidentialSituation, situations)
    through = Household.specific_publics.through
    new_through = TABLES[through].new
    sink.add(
        through,
        [
            new_through(rng, household_id=household_id, public_id=rng.choice(ctx.specific_publics))
            for household_id, _, _ in households
            if rng.random() < 0.12
        ],
    )

    # Requests: spread from the file's creation to now, the last one maybe still open.
    new_request = TABLES[Request].new
    requests, request_plans = [], []
    for household_id, department_id, household_created in households:
        k = _pick(rng, W_REQUESTS)
        span = (now - household_created).total_seconds()
        moments = sorted(household_created + datetime.timedelta(seconds=rng.random() * span) for _ in range(k))
        moments[0] = household_created
        for i, created in enumerate(moments):
            last = i == k - 1
            status = _pick(rng, W_LAST_STATUSES if last else W_PAST_STATUSES)
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
                priority = _pick(rng, W_PRIORITIES)
            requests.append(
                new_request(
                    rng,
                    household_id=household_id,
                    kind=RequestKind.INSERTION if rng.random() < 0.9 else RequestKind.EMERGENCY,
                    status=status,
                    status_before_cancel=RequestStatus.WAITING if status == RequestStatus.CANCELLED else "",
                    department_id=target,
                    is_cross_department=target != department_id,
                    origin_program_id=origin,
                    reason=rng.choice(ctx.reasons),
                    housing_situation=rng.choice(ctx.housing),
                    comment="Demande d'hébergement d'insertion." if rng.random() < 0.5 else "",
                    priority=priority,
                    transmitted_at=transmitted,
                    seniority_from=transmitted,
                    cancel_reason=rng.choice(CANCEL_REASONS) if status == RequestStatus.CANCELLED else "",
                    created_by_id=ctx.worker_user[department_id] if origin else ctx.siao_user[target],
                    version=len(PATHS[status]),
                    created_at=created,
                    updated_at=created,
                )
            )
            request_plans.append((status, transmitted, last, household_id, target, origin, created))
    sink.add(Request, requests)

    new_recommendation, new_change = TABLES[Recommendation].new, TABLES[RequestStatusChange].new
    recommendations, changes, referrals, referral_plans = [], [], [], []
    for row, (status, transmitted, last, household_id, target, _, _) in zip(requests, request_plans, strict=True):
        request_id = row[0]
        if status != RequestStatus.DRAFT:
            for program_type in rng.sample(RECOMMENDED_TYPES, _pick(rng, W_RECOMMENDATIONS)):
                recommendations.append(new_recommendation(rng, request_id=request_id, program_type=program_type))
        # The journey: a few days to a few months between steps, never in the future; every
        # step of the household's last request recorded, only the last step of older ones.
        moment, previous = transmitted, RequestStatus.DRAFT
        steps = []
        for n, to_status in enumerate(PATHS[status]):
            steps.append(moment)
            if last or n == len(PATHS[status]) - 1:
                changes.append(
                    new_change(
                        rng,
                        request_id=request_id,
                        from_status=previous,
                        to_status=to_status,
                        changed_at=moment,
                        changed_by_id=ctx.siao_user[target],
                    )
                )
            previous = to_status
            moment = min(now, moment + datetime.timedelta(days=rng.randint(1, 120), seconds=rng.randint(0, 86_399)))
        # Referrals: refused ones before, then the active or admitted one.
        programs = ctx.orientable[target]
        request = (request_id, household_id, target)
        if status in (RequestStatus.ORIENTED, RequestStatus.ADMITTED, RequestStatus.CLOSED):
            oriented_at = steps[2]
            chosen = rng.sample(programs, min(len(programs), _pick(rng, W_REFERRALS)))
            for n, program_id in enumerate(chosen):
                final = n == len(chosen) - 1
                if not final:
                    referral_status = rng.choice(
                        [ReferralStatus.REFUSED_BY_PROGRAM, ReferralStatus.REFUSED_BY_HOUSEHOLD]
                    )
                elif status == RequestStatus.ORIENTED:
                    referral_status = _pick(rng, W_ACTIVE_REFERRAL)
                else:
                    referral_status = ReferralStatus.ADMITTED
                admitted_on = steps[3] if status != RequestStatus.ORIENTED else None
                ended_on = steps[4] if status == RequestStatus.CLOSED else None
                referral_plans.append((request, program_id, referral_status, admitted_on if final else None, ended_on))
                referrals.append(_referral(rng, ctx, request, program_id, referral_status, oriented_at, now))
        elif status == RequestStatus.WAITING and rng.random() < 0.4 and len(steps) > 1:
            referral_status = rng.choice([ReferralStatus.REFUSED_BY_PROGRAM, ReferralStatus.REFUSED_BY_HOUSEHOLD])
            program_id = rng.choice(programs)
            referral_plans.append((request, program_id, referral_status, None, None))
            referrals.append(_referral(rng, ctx, request, program_id, referral_status, steps[1], now))
        elif status == RequestStatus.CANCELLED and rng.random() < 0.3:
            program_id = rng.choice(programs)
            referral_plans.append((request, program_id, ReferralStatus.WITHDRAWN, None, None))
            referrals.append(_referral(rng, ctx, request, program_id, ReferralStatus.WITHDRAWN, steps[1], now))
    sink.add(Recommendation, recommendations)
    sink.add(RequestStatusChange, changes)
    sink.add(Referral, referrals)

    new_stay = TABLES[Stay].new
    stays = []
    for row, (request, program_id, referral_status, admitted_at, ended_at) in zip(
        referrals, referral_plans, strict=True
    ):
        if referral_status != ReferralStatus.ADMITTED or admitted_at is None:
            continue
        request_id, household_id, target = request
        decided_by_id = ctx.worker_user[target]  # the referral's decision (admitted: decided)
        started_on = _localdate(admitted_at)
        ended_on = _localdate(ended_at) if ended_at else None
        ended_on = max(ended_on, started_on) if ended_on else None
        stays.append(
            new_stay(
                rng,
                household_id=household_id,
                program_id=program_id,
                request_id=request_id,
                referral_id=row[0],
                started_on=started_on,
                ended_on=ended_on,
                exit_reason=rng.choice(EXIT_REASONS) if ended_on else "",
                exit_destination=rng.choice(ctx.exit_destinations) if ended_on else None,
                admitted_by_id=decided_by_id,
                ended_by_id=decided_by_id if ended_on else None,
                created_at=admitted_at,
                updated_at=ended_at or admitted_at,
            )
        )
    sink.add(Stay, stays)

    # Accompaniment by the program that instructed the last request; notes; assessments.
    last_requests = {}
    for status, _, _, household_id, _, origin, created in request_plans:
        last_requests[household_id] = (status, origin, created)
    new_accompaniment, new_note, new_assessment = (
        TABLES[Accompaniment].new,
        TABLES[Note].new,
        TABLES[Assessment].new,
    )
    accompaniments, notes, assessments, assessment_plans = [], [], [], []
    for household_id, department_id, household_created in households:
        status, origin, request_created = last_requests[household_id]
        if origin:
            still = status not in (RequestStatus.CLOSED, RequestStatus.CANCELLED)
            accompaniments.append(
                new_accompaniment(
                    rng,
                    household_id=household_id,
                    program_id=origin,
                    started_on=_localdate(request_created),
                    ended_on=None if still else today - datetime.timedelta(days=rng.randint(0, 60)),
                    started_by_id=ctx.worker_user[department_id],
                )
            )
        span = (now - household_created).total_seconds()
        for _ in range(_pick(rng, W_NOTES)):
            at = household_created + datetime.timedelta(seconds=rng.random() * span)
            siao = rng.random() < 0.5
            notes.append(
                new_note(
                    rng,
                    household_id=household_id,
                    text=rng.choice(NOTE_TEXTS),
                    author_id=ctx.siao_user[department_id] if siao else ctx.worker_user[department_id],
                    author_role=Role.SIAO_OPERATOR if siao else Role.SOCIAL_WORKER,
                    author_organization_id=ctx.siao_org[department_id] if siao else ctx.worker_org[department_id],
                    created_at=at,
                    updated_at=at,
                )
            )
        if rng.random() < 0.35:
            author_id = ctx.worker_user[department_id]
            assessments.append(
                new_assessment(
                    rng,
                    household_id=household_id,
                    kind=AssessmentKind.IN_DEPTH if rng.random() < 0.6 else AssessmentKind.SOCIAL,
                    author_id=author_id,
                    author_organization_id=ctx.worker_org[department_id],
                    program_id=origin,
                    created_at=request_created,
                    updated_at=request_created,
                )
            )
            assessment_plans.append((author_id, request_created))
    sink.add(Accompaniment, accompaniments)
    sink.add(Note, notes)
    sink.add(Assessment, assessments)
    new_section, new_version = TABLES[AssessmentSection].new, TABLES[AssessmentSectionVersion].new
    sections, section_plans = [], []
    for row, (author_id, at) in zip(assessments, assessment_plans, strict=True):
        chosen = [Section.FAMILY, Section.HOUSING, Section.BUDGET]
        if rng.random() < 0.3:
            chosen.append(Section.HEALTH)
        for section in chosen:
            text = rng.choice(ASSESSMENT_TEXTS)
            sections.append(
                new_section(
                    rng,
                    assessment_id=row[0],
                    section=section,
                    data={},
                    text=text,
                    version=1,
                    updated_at=at,
                    updated_by_id=author_id,
                )
            )
            section_plans.append((text, at, author_id))
    sink.add(AssessmentSection, sections)
    sink.add(
        AssessmentSectionVersion,
        [
            new_version(
                rng,
                section_id=row[0],
                version=1,
                data={},
                text=text,
                changed_fields=["text"],
                changed_at=at,
                changed_by_id=author_id,
                changed_by_role=Role.SOCIAL_WORKER,
            )
            for row, (text, at, author_id) in zip(sections, section_plans, strict=True)
        ],
    )


def _referral(rng, ctx, request, program_id, status, proposed_at, now):
    _request_id, _, target = request
    decided = status != ReferralStatus.PROPOSED
    decided_at = min(now, proposed_at + datetime.timedelta(days=rng.randint(1, 30))) if decided else None
    return TABLES[Referral].new(
        rng,
        request_id=request[0],
        program_id=program_id,
        status=status,
        comment="Orientation proposée en commission." if rng.random() < 0.3 else "",
        proposed_by_id=ctx.siao_user[target],
        proposed_at=proposed_at,
        decided_by_id=ctx.worker_user[target] if decided else None,
        decided_at=decided_at,
        program_refusal_reason=rng.choice(PROGRAM_REFUSAL_REASONS)
        if status == ReferralStatus.REFUSED_BY_PROGRAM
        else "",
        household_refusal_reason=rng.choice(HOUSEHOLD_REFUSAL_REASONS)
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
    parser.add_argument(
        "--no-fk-check", action="store_true", help="skip the foreign-key check after a PostgreSQL load"
    )
    args = parser.parse_args(argv)
    from django.core.management import call_command

    from bench.offer_generate import generate_offer

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    offer = generate_offer()
    print(f"offer: {offer} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    started = time.perf_counter()
    counts = generate_households(
        args.households,
        seed=args.seed,
        workers=args.workers,
        log=lambda line: print(line, file=sys.stderr),
        check_foreign_keys=not args.no_fk_check,
    )
    print(f"households: {counts} ({time.perf_counter() - started:.1f} s) on {connection.vendor}", file=sys.stderr)


if __name__ == "__main__":
    main()
