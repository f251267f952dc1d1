"""The help centre's demo content: idempotent, published, safe links only."""

import pytest
from django.utils import timezone

from siao.demo.help_knowledge import seed
from siao.knowledge.models import Article, DemoSession, Topic

pytestmark = pytest.mark.django_db


def test_the_demo_content_is_seeded_once():
    created = seed("demo.si-siao.example")
    assert created == Topic.objects.count() + Article.objects.count() + DemoSession.objects.count()
    assert seed("demo.si-siao.example") == 0
    assert Article.objects.filter(kind="release_note").count() == 3
    assert Article.objects.filter(for_newcomers=True).exists()
    assert all(article.is_published and article.search_text for article in Article.objects.all())
    for session in DemoSession.objects.all():
        assert session.registration_url.startswith("https://inscriptions.si-siao.example/")
        assert session.starts_at > timezone.now()
