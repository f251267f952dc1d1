"""The suggestions shown while typing a support request: an HTML fragment of at most five
published articles, one query, never a 500; and the include the support form uses."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from .helpers import make_article, text

pytestmark = pytest.mark.django_db

URL = reverse("knowledge:suggestions")


def test_fragment_lists_matching_published_articles(client, django_assert_num_queries):
    make_article("Se connecter avec ProConnect", slug="proconnect", summary="La connexion recommandée.")
    make_article("Brouillon ProConnect", published=False)
    with django_assert_num_queries(1):
        response = client.get(URL, {"subject": "Connexion impossible", "description": "ProConnect me refuse"})
    assert response.status_code == 200
    fragment = text(response)
    assert "<html" not in fragment
    assert "Ces articles répondent peut-être à votre question" in fragment
    assert reverse("knowledge:article", args=["proconnect"]) in fragment
    assert "La connexion recommandée." in fragment
    assert "Brouillon" not in fragment
    assert response["Cache-Control"] == "private, no-store"


def test_short_input_costs_no_query_and_offers_the_search(client, django_assert_num_queries):
    make_article("Se connecter")
    with django_assert_num_queries(0):
        response = client.get(URL, {"subject": "ab", "description": ""})
    assert response.status_code == 200
    assert reverse("knowledge:search") in text(response)
    assert "Ces articles répondent" not in text(response)


def test_at_most_five_articles(client):
    for n in range(9):
        make_article(f"Habilitation {n}")
    response = client.get(URL, {"subject": "habilitation"})
    assert text(response).count("<li>") == 5


ODD = [{}, {"subject": ""}, {"subject": "x" * 100_000}, {"description": "é" * 20_000}, {"q": "%_\\'\""},
       {"subject": "<script>alert(1)</script>"}, {"subject": "\x00\x01"}, {"subject": ["a", "b"]},
       {"description": " ".join(f"mot{n}" for n in range(5000))}]  # fmt: skip


@pytest.mark.parametrize("params", ODD)
def test_odd_input_never_fails(client, params, django_assert_max_num_queries):
    make_article("Habilitation")
    with django_assert_max_num_queries(1):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_the_fragment_answers_get_and_post_only(client):
    assert client.put(URL, {"subject": "habilitation"}).status_code == 405
    assert client.post(URL, {"subject": "habilitation"}).status_code == 200


def test_the_include_for_the_support_form_works_with_and_without_javascript():
    request = RequestFactory().get("/")
    html = render_to_string("knowledge/includes/suggestions.html", request=request)
    assert 'id="support-suggestions"' in html and 'aria-live="polite"' in html
    assert f'hx-post="{URL}"' in html and "X-CSRFToken" in html
    assert "from:#id_subject" in html and "from:#id_description" in html
    assert 'hx-include="#id_subject, #id_description"' in html
    # Without JavaScript: a plain link to the help search.
    assert f'href="{reverse("knowledge:search")}"' in html


def test_the_form_posts_what_is_typed_with_its_csrf_token_never_in_a_url(django_assert_num_queries):
    """What a requester types may be personal: the include posts it (header X-CSRFToken)
    rather than putting it in a URL that access logs would keep."""
    from django.test import Client

    make_article("Se connecter avec ProConnect", slug="proconnect")
    csrf_client = Client(enforce_csrf_checks=True)
    refused = csrf_client.post(URL, {"subject": "ProConnect"})
    assert refused.status_code == 403
    page = csrf_client.get(reverse("support:request_create"))
    html = page.content.decode()
    assert f'hx-post="{URL}"' in html and f'hx-get="{URL}"' not in html
    token = page.cookies["csrftoken"].value
    with django_assert_num_queries(1):
        response = csrf_client.post(URL, {"subject": "ProConnect refuse"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert reverse("knowledge:article", args=["proconnect"]) in text(response)
