"""The households' information notice, in the languages of the 115's callers."""

import pytest
from django.urls import reverse

from siao.core.notices import NOTICES

LANGUAGES = ["fr", "en", "ar", "prs", "ps", "ti", "ro", "uk"]
RIGHT_TO_LEFT = {"ar", "prs", "ps"}


def test_every_language_of_the_issue_has_a_real_text_with_the_same_sections():
    assert list(NOTICES) == LANGUAGES
    reference = NOTICES["fr"]
    for notice in NOTICES.values():
        assert len(notice.sections) == len(reference.sections)
        assert all(heading and len(text) > 100 for heading, text in notice.sections)
        assert notice.direction == ("rtl" if notice.code in RIGHT_TO_LEFT else "ltr")
        assert "24" in "".join(text for _, text in notice.sections)  # the retention period is said


@pytest.mark.django_db
@pytest.mark.parametrize("code", LANGUAGES)
def test_the_notice_is_served_in_each_language_to_anyone(client, code, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:household_notice_in", args=[code]))
    assert response.status_code == 200
    page = response.content.decode()
    notice = NOTICES[code]
    assert f'<article lang="{code}" dir="{notice.direction}"' in page
    assert notice.title.replace("'", "&#x27;") in page
    # Every other language is one link away, named in its own language.
    assert page.count('hreflang="') == len(LANGUAGES) - 1


@pytest.mark.django_db
def test_french_by_default_an_unknown_language_is_not_found_and_the_footer_links_the_notice(client):
    response = client.get(reverse("core:household_notice"))
    assert response.status_code == 200 and response.context["notice"].code == "fr"
    assert client.get("/information-des-personnes/xx/").status_code == 404
    assert f'href="{reverse("core:household_notice")}"' in client.get(reverse("core:legal_notice")).content.decode()
