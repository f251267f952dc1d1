"""What the legal archive keeps of a purged file: the minimized structured proof of what was
asked and decided, nothing of the evaluation (docs/data-protection.md, « Archive légale »).

Kept: the file (number, département, dates, composition), each member's minimal identity
(names, birth date, sex, link, dates in the household), the transmitted requests (kind, status
and its history, reason, SIAO, dates, recommended program types, cancel reason), the referrals
and their decisions (program, dates, refusal reasons), the stays (program, admission, exit,
reason and destination, nights counted), the 115 requests (night, outcome, unmet reason,
program) and the rights the household exercised. Not kept: the assessments, notes, contacts,
free texts, contact details, health, administrative and financial situation, calls' notes and
outreach encounters: they prove nothing an administrative or contentious case needs.

Set-based: a batch of files costs a dozen queries, whatever its size."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from siao.archive.models import ArchivedFile, ArchivedPerson, ArchiveState
from siao.emergency.models import EmergencyRequest, Night
from siao.households.models import Household, HouseholdMember, RightsRequest
from siao.households.search import name_key
from siao.orientation.enums import RequestStatus
from siao.orientation.models import Recommendation, Referral, Request, RequestStatusChange, Stay


def _month(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_records(household_ids: list[int], *, run_id=None, now=None) -> list[tuple[ArchivedFile, list]]:
    """The unsaved archive records (file, persons) of these households."""
    now = now or timezone.now()
    expires_on = _years_later(timezone.localdate(now), settings.ARCHIVE_RETENTION_YEARS)
    households = list(
        Household.objects.filter(pk__in=household_ids).values(
            "pk", "public_id", "department__code", "created_at", "last_action_at", "composition__code",
            "member_count", "children_count",
        )
    )  # fmt: skip
    members = defaultdict(list)
    for row in HouseholdMember.objects.filter(household_id__in=household_ids).values(
        "household_id", "relationship", "joined_on", "left_on", "person__public_id", "person__last_name",
        "person__first_name", "person__birth_name", "person__birth_date", "person__sex",
    ):  # fmt: skip
        members[row["household_id"]].append(row)

    requests = defaultdict(list)
    request_rows = {}
    for row in (
        Request.objects.filter(household_id__in=household_ids)
        .exclude(status=RequestStatus.DRAFT)
        .values(
            "pk", "household_id", "public_id", "kind", "status", "department__code", "created_at",
            "transmitted_at", "reason", "priority", "is_pseudo", "cancel_reason",
        )
    ):  # fmt: skip
        row["history"], row["recommended_types"], row["referrals"] = [], [], []
        request_rows[row["pk"]] = row
        requests[row.pop("household_id")].append(row)
    for row in RequestStatusChange.objects.filter(request_id__in=request_rows).values(
        "request_id", "to_status", "changed_at"
    ):
        request_rows[row.pop("request_id")]["history"].append(row)
    for row in Recommendation.objects.filter(request_id__in=request_rows).values("request_id", "program_type"):
        request_rows[row["request_id"]]["recommended_types"].append(row["program_type"])
    for row in Referral.objects.filter(request_id__in=request_rows).values(
        "request_id", "public_id", "program__public_id", "program__name", "program__type", "status",
        "proposed_at", "decided_at", "program_refusal_reason", "household_refusal_reason",
        "household_refusal_justified",
    ):  # fmt: skip
        request_rows[row.pop("request_id")]["referrals"].append(row)

    stays = defaultdict(list)
    stay_rows = {}
    for row in Stay.objects.filter(household_id__in=household_ids).values(
        "pk", "household_id", "public_id", "program__public_id", "program__name", "program__type",
        "program__department__code", "request__public_id", "started_on", "ended_on", "exit_reason",
        "exit_destination",
    ):  # fmt: skip
        row["nights"] = 0
        stay_rows[row["pk"]] = row
        stays[row.pop("household_id")].append(row)
    for row in Night.objects.filter(stay_id__in=stay_rows).values("stay_id").annotate(n=Count("pk")):
        stay_rows[row["stay_id"]]["nights"] = row["n"]

    emergency = defaultdict(list)
    for row in EmergencyRequest.objects.filter(household_id__in=household_ids).values(
        "household_id", "public_id", "department__code", "night_of", "status", "unmet_reason",
        "program__name", "oriented_at", "outcome_at", "last_night", "member_count",
    ):  # fmt: skip
        emergency[row.pop("household_id")].append(row)

    rights = defaultdict(list)
    for row in RightsRequest.objects.filter(household_id__in=household_ids).values(
        "household_id", "kind", "received_on", "status", "answered_on"
    ):
        rights[row.pop("household_id")].append(row)

    records = []
    for household in households:
        pk = household["pk"]
        file_requests = requests[pk]
        for row in file_requests:
            row.pop("pk")
        file_stays = stays[pk]
        for row in file_stays:
            row.pop("pk")
        # The months the file counts in, in the statistics (its events, not its creation).
        months = [
            _month(value)
            for value in (
                # Requests as the statistics count them: transmitted ones and pseudo-requests.
                [
                    row["transmitted_at"] or row["created_at"]
                    for row in file_requests
                    if row["transmitted_at"] or row["is_pseudo"]
                ]
                + [ref["proposed_at"] for row in file_requests for ref in row["referrals"]]
                + [row["started_on"] for row in file_stays]
                + [row["ended_on"] for row in file_stays if row["ended_on"]]
                + [row["night_of"] for row in emergency[pk]]
            )
        ]
        file = ArchivedFile(
            household_public_id=household["public_id"],
            department=household["department__code"],
            state=ArchiveState.PENDING,
            file_created_at=household["created_at"],
            last_action_at=household["last_action_at"],
            archived_at=now,
            expires_on=expires_on,
            run_id=run_id,
            first_month=min(months, default=None),
            last_month=max(months, default=None),
            content={
                "composition": household["composition__code"],
                "member_count": household["member_count"],
                "children_count": household["children_count"],
                "requests": file_requests,
                "stays": file_stays,
                "emergency_requests": emergency[pk],
                "rights_requests": rights[pk],
            },
        )
        persons = [
            ArchivedPerson(
                person_public_id=row["person__public_id"],
                last_name=row["person__last_name"],
                first_name=row["person__first_name"],
                birth_name=row["person__birth_name"],
                birth_date=row["person__birth_date"],
                sex=row["person__sex"],
                relationship=row["relationship"],
                joined_on=row["joined_on"],
                left_on=row["left_on"],
                last_name_key=name_key(row["person__last_name"]),
                first_name_key=name_key(row["person__first_name"]),
            )
            for row in members[pk]
        ]
        records.append((file, persons))
    return records
