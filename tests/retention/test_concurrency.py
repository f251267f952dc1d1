"""Two national administrators grant the same user an archive authorization at the same
moment (a double click, two tabs): one authorization is created, the other is refused.

SQLite serializes write transactions: the race runs on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from siao.accounts.enums import Role
from siao.retention import actions
from siao.retention.models import ArchiveAuthorization
from tests.factories import actor_for, membership_for


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serializes write transactions: no real concurrency")
@pytest.mark.django_db(transaction=True, databases=["default", "archive", "stats"])
def test_two_grants_at_once_create_one_authorization():
    admins = [actor_for(membership_for(Role.NATIONAL_ADMIN)) for _ in range(2)]
    reader = membership_for(Role.SIAO_ADMIN).user
    today = timezone.localdate()
    barrier = threading.Barrier(2)
    outcomes = []

    def grant(actor):
        try:
            barrier.wait()
            actions.grant_authorization(
                actor=actor,
                user=reader,
                purpose="Contentieux fictif devant le tribunal administratif.",
                reference="",
                department=None,
                starts_on=today,
                ends_on=today + datetime.timedelta(days=10),
            )
            outcomes.append("granted")
        except ValueError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grant, args=(actor,)) for actor in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("granted") == 1, outcomes
    assert any("déjà une autorisation" in outcome for outcome in outcomes)
    assert ArchiveAuthorization.objects.filter(user=reader).count() == 1
