"""The proof, on any database, that retention is applied and that the archive and the
statistics agree with what was purged (`manage.py retention_check`)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from siao.archive.models import ArchivedFile, ArchiveState

from .purge import (
    _active_after,
    _first_month_left_open,
    cutoff,
    expired_archives,
    expired_households,
    unattached_calls,
    unattached_encounters,
)


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count < 2 else plural}"


@dataclass
class Finding:
    label: str
    ok: bool
    detail: str = ""


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(finding.ok for finding in self.findings)

    def add(self, label: str, ok: bool, detail: str = "") -> None:
        self.findings.append(Finding(label, ok, detail))


def run_checks(now: datetime.datetime | None = None) -> CheckReport:
    from siao.households.models import Household
    from siao.statistics.feed import frozen_through
    from siao.statistics.models import MonthState

    now = now or timezone.now()
    limit = cutoff(now)
    report = CheckReport()

    expired = expired_households(limit)
    # A file whose activity touches a month the statistics still leave open waits, by design.
    waiting = _active_after(expired, _first_month_left_open(now))
    count = expired.exclude(pk__in=waiting.values("pk")).count()
    waiting_count = waiting.count()
    report.add(
        "Aucun dossier sans action depuis la durée de conservation (hors prise en charge en cours)",
        count == 0,
        "; ".join(
            part
            for part in (
                _n(count, "dossier à purger", "dossiers à purger") if count else "",
                _n(waiting_count, "dossier en attente", "dossiers en attente")
                + " du gel des statistiques (normal : purgés quand leur mois sera figé)"
                if waiting_count
                else "",
            )
            if part
        ),
    )
    leftovers = unattached_calls(limit).count() + unattached_encounters(limit).count()
    report.add("Aucun appel ni rencontre sans dossier au-delà de la durée", leftovers == 0, str(leftovers or ""))

    pending = ArchivedFile.objects.filter(state=ArchiveState.PENDING).count()
    report.add("Aucun transfert vers l'archive laissé en cours", pending == 0, str(pending or ""))

    duplicates = ArchivedFile.objects.values("household_public_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    report.add("Aucun doublon dans l'archive", duplicates == 0, str(duplicates or ""))

    archived = ArchivedFile.objects.values_list("household_public_id", flat=True)
    still_here = 0
    uuids = list(archived)
    for start in range(0, len(uuids), 5000):
        still_here += Household.objects.filter(public_id__in=uuids[start : start + 5000]).count()
    report.add("Tout dossier archivé a quitté la base de production", still_here == 0, str(still_here or ""))

    too_old = expired_archives(timezone.localdate(now)).count()
    report.add("Aucune archive au-delà de sa durée de conservation", too_old == 0, str(too_old or ""))

    # Statistics: every month a purged file counts in was frozen before the purge, and no
    # frozen month counts fewer requests than the transactional base and the archive together
    # hold for it (a purged request missing from the published figures would show here).
    frozen = frozen_through()
    frozen_months = set(MonthState.objects.filter(frozen_at__isnull=False).values_list("month", flat=True))
    late = sum(
        1
        for first, last in ArchivedFile.objects.filter(last_month__isnull=False).values_list(
            "first_month", "last_month"
        )
        if not {first, last} <= frozen_months
    )
    report.add(
        "Les mois d'activité des dossiers archivés sont figés dans la base statistique",
        late == 0,
        _n(late, "dossier archivé hors des mois figés", "dossiers archivés hors des mois figés") if late else "",
    )
    if frozen:
        report.findings.extend(_request_counts_agree(frozen))
    return report


def _request_counts_agree(frozen: datetime.date) -> list[Finding]:
    """Requests per month (frozen months, as the statistics count them: transmitted ones and
    pseudo-requests, in the month of transmission or recording): statistics == production +
    archive."""
    from django.db.models.functions import Coalesce

    from siao.orientation.models import Request
    from siao.statistics.models import Cell, MonthState
    from siao.statistics.sources import COUNTED_REQUESTS

    expected: dict[datetime.date, int] = {}
    tz = timezone.get_current_timezone()
    for row in (
        Request.objects.filter(COUNTED_REQUESTS)
        .annotate(month=TruncMonth(Coalesce("transmitted_at", "created_at"), tzinfo=tz))
        .values("month")
        .annotate(n=Count("pk"))
    ):
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        if month <= frozen:
            expected[month] = expected.get(month, 0) + row["n"]
    done = ArchivedFile.objects.filter(state=ArchiveState.DONE, first_month__lte=frozen)
    for content in done.values_list("content", flat=True).iterator(chunk_size=2000):
        for request in content.get("requests", []):
            if not (request.get("transmitted_at") or request.get("is_pseudo")):
                continue
            at = datetime.datetime.fromisoformat(request.get("transmitted_at") or request["created_at"])
            month = timezone.localtime(at, tz).date().replace(day=1)
            if month <= frozen:
                expected[month] = expected.get(month, 0) + 1
    # Synthetic months of the demonstration are not computed from the data: not compared.
    demo = set(MonthState.objects.filter(is_demo=True).values_list("month", flat=True))
    totals: dict[datetime.date, int] = {}
    for month, count in Cell.objects.filter(measure="requests", dimension="", value="", month__lte=frozen).values_list(
        "month", "count"
    ):
        totals[month] = totals.get(month, 0) + count
    differing = sorted(
        month for month in (set(expected) | set(totals)) - demo if expected.get(month, 0) != totals.get(month, 0)
    )
    return [
        Finding(
            "Les demandes publiées par mois figé égalent celles de la production et de l'archive",
            not differing,
            ", ".join(
                f"{month:%m/%Y} : {totals.get(month, 0)} publiées, {expected.get(month, 0)} attendues"
                for month in differing[:12]
            ),
        )
    ]
