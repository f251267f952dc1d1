"""The daily retention run (docs/data-protection.md: cron or systemd timer, or the background
task siao.retention.tasks.retention_run_task)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

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
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size : indiquez un nombre de dossiers supérieur à zéro.")
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


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count:,} {singular if count < 2 else plural}".replace(",", "\u202f")


def _day(iso: str) -> str:
    return datetime.datetime.fromisoformat(iso).astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y")


def format_report(report: dict, *, dry_run: bool) -> str:
    lines = [
        ("Simulation : rien n'a été modifié." if dry_run else "Passage de conservation terminé."),
        f"Dossiers sans action depuis le {_day(report['cutoff'])} ou avant : {_n(report['files'], 'dossier', 'dossiers')}",
    ]
    for department, count in report["by_department"].items():
        lines.append(f"  département {department} : {_n(count, 'dossier', 'dossiers')}")
    if dry_run and report.get("waiting_for_statistics"):
        lines.append(
            "  dont en attente (activité dans un mois encore ouvert de la base statistique, purgés plus "
            f"tard) : {_n(report['waiting_for_statistics'], 'dossier', 'dossiers')}"
        )
    lines.append(
        "Gardés car une prise en charge est en cours : " + _n(report["exempt_current_stay"], "dossier", "dossiers")
    )
    if dry_run:
        archive = report["to_archive"]
        deleted = report["deleted_only"]
        lines.append(
            "Vers l'archive légale : "
            f"{_n(archive['persons'], 'personne', 'personnes')}, {_n(archive['requests'], 'demande', 'demandes')}, "
            f"{_n(archive['stays'], 'prise en charge', 'prises en charge')}, "
            f"{_n(archive['emergency_requests'], 'demande au 115', 'demandes au 115')}"
        )
        lines.append(
            "Supprimé sans archivage : "
            f"{_n(deleted['assessments'], 'évaluation', 'évaluations')}, "
            f"{_n(deleted['notes'], 'transmission', 'transmissions')}, {_n(deleted['contacts'], 'contact', 'contacts')}"
        )
        lines.append(
            "Appels et rencontres sans dossier à supprimer : "
            f"{_n(report['unattached_calls'], 'appel', 'appels')}, "
            f"{_n(report['unattached_encounters'], 'rencontre', 'rencontres')}"
        )
        lines.append(
            f"Archives de plus de dix ans à supprimer : {_n(report['archives_expired'], 'dossier', 'dossiers')}"
        )
        return "\n".join(lines)
    archived = report.get("archived", {})
    deleted = report.get("deleted_rows", {})
    seconds = f"{report['seconds']:.1f}".replace(".", ",")
    lines.append(
        f"Transférés vers l'archive légale puis supprimés : {_n(report['transferred'], 'dossier', 'dossiers')} "
        f"({_n(archived.get('persons', 0), 'personne', 'personnes')}, "
        f"{_n(archived.get('requests', 0), 'demande', 'demandes')}, "
        f"{_n(archived.get('stays', 0), 'prise en charge', 'prises en charge')}, "
        f"{_n(archived.get('emergency_requests', 0), 'demande au 115', 'demandes au 115')}) en {seconds} s"
    )
    lines.append(
        "Supprimé sans archivage : "
        f"{_n(deleted.get('households.Assessment', 0), 'évaluation', 'évaluations')}, "
        f"{_n(deleted.get('households.Note', 0), 'transmission', 'transmissions')}, "
        f"{_n(deleted.get('households.Contact', 0), 'contact', 'contacts')}"
    )
    if report.get("kept_after_recheck"):
        lines.append(
            "Gardés car une action les a touchés pendant le passage : "
            + _n(report["kept_after_recheck"], "dossier", "dossiers")
        )
    if report.get("not_in_statistics_yet"):
        lines.append(
            "Non purgés car leur activité touche un mois encore ouvert de la base statistique (ils le seront "
            f"quand il sera figé) : {_n(report['not_in_statistics_yet'], 'dossier', 'dossiers')}"
        )
    lines.append(
        "Appels et rencontres sans dossier supprimés : "
        f"{_n(report['unattached_calls_deleted'], 'appel', 'appels')}, "
        f"{_n(report['unattached_encounters_deleted'], 'rencontre', 'rencontres')}"
    )
    lines.append(f"Archives de plus de dix ans supprimées : {_n(report['archives_deleted'], 'dossier', 'dossiers')}")
    return "\n".join(lines)
