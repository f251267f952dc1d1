from django.conf import settings
from django.core.management.base import BaseCommand

from siao.audit.retention import purge_expired_events


class Command(BaseCommand):
    help = "Supprime les événements du journal plus anciens que la durée de conservation (1 an par défaut)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUDIT_RETENTION_DAYS, help="durée de conservation")
        parser.add_argument("--dry-run", action="store_true", help="compte sans supprimer")

    def handle(self, *args, days, dry_run, **options):
        count = purge_expired_events(days=days, dry_run=dry_run)
        verb = "seraient supprimés" if dry_run else "supprimés"
        self.stdout.write(f"{count} événements de plus de {days} jours {verb}.")
