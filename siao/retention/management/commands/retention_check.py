"""Prove that no file past retention remains and that the legal archive and the statistics
agree with what was purged. Exit status 1 when a check fails (cron mails it)."""

from django.core.management.base import BaseCommand, CommandError

from siao.retention.check import run_checks


class Command(BaseCommand):
    help = "Vérifie l'application de la durée de conservation et la cohérence de l'archive et des statistiques."

    def handle(self, *args, **options):
        report = run_checks()
        for finding in report.findings:
            mark = "OK    " if finding.ok else "ÉCHEC "
            self.stdout.write(f"{mark}{finding.label}" + (f" — {finding.detail}" if finding.detail else ""))
        if not report.ok:
            raise CommandError("Au moins une vérification a échoué.")
        self.stdout.write("Toutes les vérifications sont passées.")
