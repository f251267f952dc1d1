"""Feed the statistics base: recompute every month not frozen yet, then freeze the months
older than the open ones (siao/statistics/feed.py). Run daily; idempotent."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from siao.statistics import feed


class Command(BaseCommand):
    help = "Recalcule la base statistique (mois non figés) puis fige les mois anciens."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Date du calcul, AAAA-MM-JJ (par défaut : aujourd'hui, heure de Paris).")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    "--today : indiquez une date au format AAAA-MM-JJ, par exemple 2025-03-31."
                ) from None

        def progress(label, done, total):
            self.stdout.write(f"Statistiques : {label} ({done}/{total} mois)")

        report = feed.refresh(today=today, progress=progress)
        frozen = report["frozen_through"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Base statistique à jour : {report['months_computed']} mois calculé(s), "
                f"{report['cells_written']} cellule(s), {report['months_frozen']} mois figé(s) "
                f"(figés jusqu'à {frozen[:7] if frozen else 'aucun'}), {report['seconds']} s."
            )
        )
