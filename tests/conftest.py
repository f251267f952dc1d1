import pytest
from django.test import Client

from siao.accounts.actions import SESSION_ACTIVE_MEMBERSHIP
from siao.accounts.enums import Role

from .factories import membership_for

LOGIN_BACKEND = "siao.accounts.backends.LoginCodeBackend"


@pytest.fixture(autouse=True)
def _email_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path_factory):
    """Each test starts with an empty cache (the open survey campaign, rate limits are cached)
    and its own folder for uploaded files."""
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    yield
    cache.clear()


def log_in_as(client: Client, membership) -> Client:
    """Open a session for the membership's user with that membership active."""
    client.force_login(membership.user, backend=LOGIN_BACKEND)
    session = client.session
    session[SESSION_ACTIVE_MEMBERSHIP] = str(membership.public_id)
    session.save()
    return client


@pytest.fixture
def client_as(client):
    """`client_as(Role.SIAO_ADMIN)` or `client_as(membership)`: a logged-in client."""

    def make(role_or_membership, **kwargs):
        membership = (
            membership_for(role_or_membership, **kwargs) if isinstance(role_or_membership, str) else role_or_membership
        )
        log_in_as(client, membership)
        client.membership = membership
        return client

    return make


ALL_ROLES = list(Role.values)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ()))
    )


ALL_DATABASES = ["default", "archive", "stats"]


def pytest_collection_modifyitems(config, items):
    """Every database test may reach the three databases (the demo seeds the archive and the
    statistics; views may read them): a `django_db` mark without `databases` gets all three.
    Transactional tests (browser tests included) flush the database when they end, which also
    empties the reference data loaded by migrations: run them last, and reload that data before
    each of them (see `_reference_data`)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, databases=ALL_DATABASES), append=False
            )
        elif marker is None and {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.django_db(transaction=True, databases=ALL_DATABASES))
    items.sort(key=_is_transactional)


@pytest.fixture(autouse=True)
def _reference_data(request):
    if _is_transactional(request.node):
        request.getfixturevalue("transactional_db")
        from siao.accounts.defaults import create_default_organizations
        from siao.accounts.models import Organization
        from siao.audit.models import AuditChainHead
        from siao.geo.loader import load_territory
        from siao.geo.models import Department
        from siao.offer.defaults import create_publics
        from siao.offer.models import Public

        if not Department.objects.exists():
            load_territory()
            create_default_organizations(Organization, Department)
        if not Public.objects.exists():
            create_publics(Public)
        AuditChainHead.objects.get_or_create(pk=1)
    yield
