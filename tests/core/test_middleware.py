"""Correlation id on every request, and the security headers of every page."""

import re

import pytest
from django.urls import reverse

from siao.accounts.enums import Role

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Correlation id


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["abcdefgh", "7f3c2a9e-1b4d-4c2a-9e8f-0a1b2c3d4e5f", "lb.req_01-02.03", "a" * 64])
def test_a_well_formed_request_id_from_a_trusted_proxy_is_reused(client, settings, incoming):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get(reverse("core:accessibility"), headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["short", "a" * 65, "has space inside", "semi;colon-0001", "<script>alert(1)</script>", "é-accentué-0001", ""],
)
def test_a_malformed_incoming_request_id_is_replaced_by_a_fresh_one(client, settings, incoming):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get(reverse("core:accessibility"), headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] != incoming
    assert HEX32.match(response["X-Request-ID"])


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_client_cannot_choose_the_correlation_id(client):
    response = client.get(reverse("core:accessibility"), headers={"X-Request-ID": "forged-by-client"})
    assert HEX32.match(response["X-Request-ID"])


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_address_is_taken_from_x_forwarded_for(client_as, settings):
    from siao.audit.models import AuditEvent

    settings.TRUSTED_PROXY_COUNT = 1
    client = client_as(Role.NATIONAL_ADMIN)
    client.get(reverse("audit:trail"), headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
    assert AuditEvent.objects.get(action="audit.trail_viewed").ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_each_request_gets_its_own_correlation_id(client):
    first = client.get(reverse("core:accessibility"))["X-Request-ID"]
    second = client.get(reverse("core:accessibility"))["X-Request-ID"]
    assert HEX32.match(first) and HEX32.match(second)
    assert first != second


@pytest.mark.django_db
def test_every_kind_of_response_carries_a_request_id(client_as, client):
    responses = [
        (200, client.get(reverse("core:legal_notice"))),
        (302, client.get(reverse("core:home"))),
        (404, client.get("/nulle-part/")),
        (403, client_as(Role.SOCIAL_WORKER).get(reverse("audit:trail"))),
        (200, client.get(reverse("core:home"))),
    ]
    for status, response in responses:
        assert response.status_code == status
        assert HEX32.match(response["X-Request-ID"])


# Security headers


@pytest.mark.django_db
def test_a_page_forbids_inline_scripts_other_than_those_with_the_nonce_of_the_request(client):
    response = client.get(reverse("accounts:login"))
    directives = csp_directives(response)
    script_src = directives["script-src"]
    nonces = [value for value in script_src if value.startswith("'nonce-")]
    assert len(nonces) == 1
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in directives.get("default-src", [])
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


@pytest.mark.django_db
def test_a_page_may_not_be_framed(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_dsfr_script_tags_carry_the_nonce_of_the_header(client_as):
    response = client_as(Role.SIAO_ADMIN).get(reverse("core:home"))
    (nonce_source,) = [value for value in csp_directives(response)["script-src"] if value.startswith("'nonce-")]
    nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts, "the DSFR pages load their JavaScript"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


@pytest.mark.django_db
def test_each_response_gets_a_fresh_nonce(client):
    first = csp_directives(client.get(reverse("accounts:login")))["script-src"]
    second = csp_directives(client.get(reverse("accounts:login")))["script-src"]
    assert first != second


@pytest.mark.django_db
def test_pages_forbid_content_sniffing_and_send_a_same_origin_referrer(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
