"""Load the shipped territory files (siao/geo/data/*.csv) into the database.

Idempotent bulk upsert (INSERT … ON CONFLICT DO UPDATE on SQLite ≥ 3.24 and PostgreSQL): ids are
kept, so foreign keys to départements and communes survive a refresh. Works from a migration with
the historical models (pass them in) as well as with the current ones.
"""

import csv
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError

DATA_DIR = Path(__file__).resolve().parent / "data"
DEPARTMENTS_FILE = DATA_DIR / "departments.csv"
COMMUNES_FILE = DATA_DIR / "communes.csv"
BATCH_SIZE = 1000  # the backends lower it to their own parameter limit (999 on SQLite)


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_territory(department_model=None, commune_model=None, *, using="default"):
    """Upsert every département and commune of the shipped files; return (départements, communes) counts.

    The counts are the rows of each file, all of which were inserted or updated. Nothing is deleted:
    see `prune_communes` for the communes that left the referential.
    """
    if department_model is None or commune_model is None:
        from siao.geo.models import Commune, Department

        department_model = department_model or Department
        commune_model = commune_model or Commune

    department_rows = read_rows(DEPARTMENTS_FILE)
    commune_rows = read_rows(COMMUNES_FILE)

    with transaction.atomic(using=using):
        department_model.objects.using(using).bulk_create(
            [
                department_model(
                    code=row["code"],
                    name=row["name"],
                    region_code=row["region_code"],
                    region_name=row["region_name"],
                    is_overseas=len(row["code"]) == 3,
                )
                for row in department_rows
            ],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "region_code", "region_name", "is_overseas"],
        )
        department_ids = dict(department_model.objects.using(using).values_list("code", "id"))
        commune_model.objects.using(using).bulk_create(
            [
                commune_model(
                    insee_code=row["insee_code"],
                    name=row["name"],
                    department_id=department_ids[row["department_code"]],
                    postal_codes=row["postal_codes"],
                    kind=row["kind"],
                )
                for row in commune_rows
            ],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["insee_code"],
            update_fields=["name", "department", "postal_codes", "kind"],
        )
    return len(department_rows), len(commune_rows)


def prune_communes(commune_model=None, *, using="default"):
    """Delete the communes absent from the shipped file (merged into a commune nouvelle since the last
    refresh), except those that something still points to. Return (deleted codes, kept codes)."""
    if commune_model is None:
        from siao.geo.models import Commune as commune_model

    shipped = {row["insee_code"] for row in read_rows(COMMUNES_FILE)}
    stale = sorted(set(commune_model.objects.using(using).values_list("insee_code", flat=True)) - shipped)
    deleted, kept = [], []
    for code in stale:
        try:
            with transaction.atomic(using=using):
                commune_model.objects.using(using).filter(insee_code=code).delete()
            deleted.append(code)
        except ProtectedError:
            kept.append(code)
    return deleted, kept
