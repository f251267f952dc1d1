"""The API's human guide, beside its OpenAPI document: public, French, and every problem
code an error can carry has its anchor there."""

import pytest

from siao.partners.api.problems import PROBLEMS

pytestmark = pytest.mark.django_db


def test_the_guide_is_public_and_lists_every_problem_code(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/guide/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>API partenaires (interconnexion) — guide</h1>" in html
    assert 'href="/api/v1/openapi.json"' in html and 'href="/api/v1/docs"' in html
    for code in PROBLEMS:
        assert f'id="probleme-{code}"' in html


def test_a_problem_points_to_its_entry_in_the_guide(client):
    problem = client.get("/api/v1/programs").json()
    assert problem["type"] == "/api/v1/guide/#probleme-unauthorized"
    guide = client.get("/api/v1/guide/").content.decode()
    assert 'id="probleme-unauthorized"' in guide


def test_the_guide_renders_no_raw_html_from_the_markdown(settings, tmp_path, monkeypatch):
    from siao.partners import guide

    source = tmp_path / "guide.md"
    source.write_text("# Titre\n\n<script>alert(1)</script>\n", encoding="utf-8")
    monkeypatch.setattr(guide, "GUIDE", source)
    guide.guide_html.cache_clear()
    try:
        html = guide.guide_html()
    finally:
        guide.guide_html.cache_clear()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_footer_links_the_guide(client):
    assert 'href="/api/v1/guide/"' in client.get("/connexion/").content.decode()


def test_an_address_outside_the_contract_is_a_problem_not_the_sites_page(client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/guide/").status_code == 200


def test_a_token_answer_is_never_cached(client):
    response = client.post("/api/v1/oauth/token", {"grant_type": "client_credentials"})
    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-store"
