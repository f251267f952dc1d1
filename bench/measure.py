import time

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from siao.accounts.actions import SESSION_ACTIVE_MEMBERSHIP
from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization, User
from siao.audit.trail import record, verify_chain

BACKEND = "siao.accounts.backends.LoginCodeBackend"


def _client_for(role, organization):
    user, _ = User.objects.get_or_create(email=f"bench.{role}.{organization.pk}@bench-admin.example")
    membership = Membership.objects.filter(user=user, role=role, organization=organization).first()
    membership = membership or Membership.objects.create(user=user, role=role, organization=organization)
    client = Client()
    client.force_login(user, backend=BACKEND)
    session = client.session
    session[SESSION_ACTIVE_MEMBERSHIP] = str(membership.public_id)
    session.save()
    return client


def _time(fn, repeat):
    timings = []
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        fn()
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(queries)


def _page(client, url):
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")

    return fetch


def measure_all(repeat: int):
    # Outside Django's test runner, each request would close the connection (and lose the log).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    national = _client_for(Role.NATIONAL_ADMIN, Organization.objects.get(kind=OrganizationKind.NATIONAL))
    ddets = _client_for(
        Role.DEPARTMENT_ADMIN, Organization.objects.get(kind=OrganizationKind.STATE_DEPARTMENT, departments__code="35")
    )
    siao = _client_for(Role.SIAO_ADMIN, Organization.objects.get(kind=OrganizationKind.SIAO, departments__code="35"))
    rows = []
    for name, fn in [
        ("home page (middleware + actor)", _page(siao, "/")),
        ("memberships list, département admin (35)", _page(ddets, "/habilitations/")),
        ("memberships list, national admin", _page(national, "/habilitations/")),
        ("access review, national admin", _page(national, "/habilitations/revue/")),
        ("audit trail, département admin (35)", _page(ddets, "/journal/")),
        ("audit trail, national admin", _page(national, "/journal/")),
        (
            "audit trail filtered by user, national",
            _page(national, "/journal/?user=agent123%40bench-structure.example"),
        ),
        ("audit.record() one event", lambda: record("bench.event", data={"n": 1})),
    ]:
        timings, queries = _time(fn, repeat)
        rows.append((name, timings, queries))
    started = time.perf_counter()
    result = verify_chain()
    elapsed = (time.perf_counter() - started) * 1000
    rows.append((f"verify_audit_chain ({result.checked} events, ok={result.ok})", [elapsed], "-"))
    return rows
