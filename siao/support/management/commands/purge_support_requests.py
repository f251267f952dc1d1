from django.conf import settings
from django.core.management.base import BaseCommand

from siao.support.actions import purge_expired_support_requests, sweep_orphan_files


class Command(BaseCommand):
    help = (
        "Supprime les demandes de support résolues ou closes depuis plus de SUPPORT_RETENTION_MONTHS mois "
        "(24 par défaut), avec leurs messages et leurs pièces jointes, puis les fichiers orphelins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compte sans supprimer")

    def handle(self, *args, dry_run, **options):
        count = purge_expired_support_requests(dry_run=dry_run)
        months = settings.SUPPORT_RETENTION_MONTHS
        if dry_run:
            self.stdout.write(f"{count} demandes de support closes depuis plus de {months} mois seraient supprimées.")
            return
        orphans = sweep_orphan_files()
        self.stdout.write(
            f"{count} demandes de support closes depuis plus de {months} mois supprimées ; "
            f"{orphans} fichiers orphelins supprimés."
        )
