"""The daily retention run (docs/data-protection.md: cron or systemd timer, or the background
task siao.retention.tasks.retention_run_task)."""

import json

from django.core.management.base import BaseCommand

from siao.retention import purge
from siao.retention.models import RetentionRun


class Command(BaseCommand):
    help = (
        "Transfère vers l'archive légale et la base statistique puis supprime les dossiers sans action "
        "depuis la durée de conservation (24 mois) ; supprime les archives de plus de dix ans."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Rapport seulement : rien n'est modifié.")
        parser.add_argument("--batch-size", type=int, help="Dossiers par lot (RETENTION_BATCH_SIZE).")
        parser.add_argument("--json", action="store_true", help="Le rapport en JSON.")

    def handle(self, *args, dry_run=False, batch_size=None, json=False, **options):
        self._last_step = ""
        run = RetentionRun.objects.create(dry_run=dry_run)
        report = purge.execute(run, dry_run=dry_run, batch_size=batch_size, progress=self._progress)
        if json:
            self.stdout.write(_json(report))
            return
        self.stdout.write(format_report(report, dry_run=dry_run))

    def _progress(self, run, fields):
        if "step" in fields and fields["step"] != self._last_step:
            self._last_step = fields["step"]
            self.stderr.write(f"{fields['step']}…")
        if "done" in fields and run.total:
            self.stderr.write(f"  {run.done:>10,} / {run.total:,} dossiers ({run.percent} %)".replace(",", " "))


def _json(report) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


def format_report(report: dict, *, dry_run: bool) -> str:
    lines = [
        ("Simulation : rien n'a été modifié." if dry_run else "Passage de conservation terminé."),
        f"Dossiers sans action depuis le {report['cutoff'][:10]} : {report['files']}",
    ]
    for department, count in report["by_department"].items():
        lines.append(f"  département {department} : {count}")
    lines.append(f"Gardés car une prise en charge est en cours : {report['exempt_current_stay']}")
    archive = report["to_archive"]
    lines.append(
        "Vers l'archive légale : "
        f"{archive['persons']} personnes, {archive['requests']} demandes, {archive['stays']} prises en charge, "
        f"{archive['emergency_requests']} demandes au 115"
    )
    deleted = report["deleted_only"]
    lines.append(
        "Supprimé sans archivage : "
        f"{deleted['assessments']} évaluations, {deleted['notes']} transmissions, {deleted['contacts']} contacts"
    )
    lines.append(
        f"Appels et rencontres sans dossier à supprimer : {report['unattached_calls']} appels, "
        f"{report['unattached_encounters']} rencontres"
    )
    lines.append(f"Archives de plus de dix ans à supprimer : {report['archives_expired']}")
    if not dry_run:
        lines.append(f"Transférés puis supprimés : {report['transferred']} dossiers en {report['seconds']} s")
        if report.get("kept_after_recheck"):
            lines.append(f"Gardés car une action les a touchés pendant le passage : {report['kept_after_recheck']}")
        if report.get("not_in_statistics_yet"):
            lines.append(
                f"Non purgés car leurs mois ne sont pas encore figés dans la base statistique : "
                f"{report['not_in_statistics_yet']}"
            )
    return "\n".join(lines)
