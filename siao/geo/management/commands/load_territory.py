import time

from django.core.management.base import BaseCommand

from siao.geo.loader import load_territory, prune_communes


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les départements et communes depuis les fichiers livrés (siao/geo/data/). "
        "Idempotent. Voir docs/territory.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="Alias de la base (défaut : default).")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Supprimer les communes absentes des fichiers (sauf celles encore référencées).",
        )

    def handle(self, *args, database, prune, **options):
        start = time.monotonic()
        departments, communes = load_territory(using=database)
        elapsed = time.monotonic() - start
        self.stdout.write(
            self.style.SUCCESS(
                f"Référentiel territorial chargé : {departments} départements, {communes} communes ({elapsed:.1f} s)."
            )
        )
        if prune:
            deleted, kept = prune_communes(using=database)
            self.stdout.write(f"Communes supprimées (absentes des fichiers) : {len(deleted)}.")
            if kept:
                self.stdout.write(
                    self.style.WARNING(
                        f"Communes absentes des fichiers mais encore référencées, conservées : {', '.join(kept)}."
                    )
                )
