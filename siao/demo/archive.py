"""The demo's legal archive: one file archived by a (pretend) past retention run, and a special
authorization for the Administrateur SIAO account, so the archive's pages can be tried."""

import datetime
import uuid

from django.utils import timezone

from siao.accounts.models import User
from siao.archive.models import ArchivedFile, ArchivedPerson, ArchiveState
from siao.households.search import name_key
from siao.retention.minimize import _years_later
from siao.retention.models import ArchiveAuthorization
from siao.statistics.models import MonthState


def seed_archive(domain: str) -> None:
    now = timezone.now()
    last_action = now - datetime.timedelta(days=3 * 365)
    archived_at = now - datetime.timedelta(days=330)
    transmitted = last_action - datetime.timedelta(days=200)
    file = ArchivedFile.objects.create(
        household_public_id=uuid.UUID("00000000-0000-4000-8000-00000000a001"),
        department="35",
        state=ArchiveState.DONE,
        file_created_at=transmitted - datetime.timedelta(days=10),
        last_action_at=last_action,
        archived_at=archived_at,
        expires_on=_years_later(timezone.localdate(archived_at), 10),
        first_month=timezone.localdate(transmitted).replace(day=1),
        last_month=timezone.localdate(last_action).replace(day=1),
        content={
            "composition": "single_woman",
            "member_count": 1,
            "children_count": 0,
            "requests": [
                {
                    "public_id": str(uuid.uuid4()),
                    "kind": "insertion",
                    "status": "closed",
                    "department__code": "35",
                    "created_at": transmitted.isoformat(),
                    "transmitted_at": transmitted.isoformat(),
                    "reason": None,
                    "priority": 1,
                    "is_pseudo": False,
                    "cancel_reason": "",
                    "history": [
                        {"to_status": "transmitted", "changed_at": transmitted.isoformat()},
                        {"to_status": "waiting", "changed_at": (transmitted + datetime.timedelta(days=3)).isoformat()},
                    ],
                    "recommended_types": ["chrs"],
                    "referrals": [
                        {
                            "public_id": str(uuid.uuid4()),
                            "program__public_id": str(uuid.uuid4()),
                            "program__name": "CHRS - Horizon Rennes",
                            "program__type": "chrs",
                            "status": "admitted",
                            "proposed_at": (transmitted + datetime.timedelta(days=20)).isoformat(),
                            "decided_at": (transmitted + datetime.timedelta(days=25)).isoformat(),
                            "program_refusal_reason": "",
                            "household_refusal_reason": "",
                            "household_refusal_justified": None,
                        }
                    ],
                }
            ],
            "stays": [
                {
                    "public_id": str(uuid.uuid4()),
                    "program__public_id": str(uuid.uuid4()),
                    "program__name": "CHRS - Horizon Rennes",
                    "program__type": "chrs",
                    "program__department__code": "35",
                    "request__public_id": None,
                    "started_on": timezone.localdate(transmitted + datetime.timedelta(days=30)).isoformat(),
                    "ended_on": timezone.localdate(last_action).isoformat(),
                    "exit_reason": "other",
                    "exit_destination": None,
                    "nights": 0,
                }
            ],
            "emergency_requests": [],
            "rights_requests": [],
        },
    )
    # The pretend run froze the file's months in the statistics before archiving it: the demo
    # marks them as demo months (no figures: the demo's statistics are synthetic), so that
    # `retention_check` holds on the demo too.
    month = file.first_month
    while month <= file.last_month:
        MonthState.objects.get_or_create(
            month=month, defaults={"computed_at": archived_at, "frozen_at": archived_at, "is_demo": True}
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    ArchivedPerson.objects.create(
        file=file,
        person_public_id=uuid.uuid4(),
        last_name="Exemple-Archive",
        first_name="Claude",
        birth_date=datetime.date(1980, 6, 1),
        sex="F",
        relationship="head",
        joined_on=timezone.localdate(transmitted),
        last_name_key=name_key("Exemple-Archive"),
        first_name_key=name_key("Claude"),
    )
    today = timezone.localdate()
    ArchiveAuthorization.objects.create(
        user=User.objects.get(email=f"admin.siao@{domain}"),
        purpose="Démonstration : répondre à une demande fictive du tribunal administratif sur un ancien dossier.",
        reference="DEMO-0001",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        granted_by=User.objects.get(email=f"admin.national@{domain}"),
    )
