"""The public help centre (no login needed: who cannot log in needs help most): the help page,
the search, topics, articles, release notes, the sessions calendar, and the suggestions shown
while typing a support request. Only published articles are public; editors also see drafts."""

import itertools
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .models import Article, DemoSession, Topic
from .permissions import can_edit_knowledge
from .search import MAX_QUERY_LENGTH, query_words, search_articles, suggest_articles

PAGE_SIZE = 20
TOPIC_PREVIEW = 5
NEWCOMERS_PREVIEW = 6
RELEASE_NOTES_PREVIEW = 3
SESSIONS_PREVIEW = 3
SESSIONS_PAGE_SIZE = 30
LIST_FIELDS = ("title", "slug", "summary", "kind", "version_label", "release_date", "published_at", "topic_id")


def _actor(request):
    return getattr(request, "actor", None)


def _contact() -> dict:
    return {
        "email": settings.SUPPORT_CONTACT_EMAIL,
        "phone": settings.SUPPORT_CONTACT_PHONE,
        "hours": settings.SUPPORT_CONTACT_HOURS,
    }


def _page(request, items, size=PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


@require_GET
def help_home(request):
    published = Article.objects.published()
    topics = list(Topic.objects.all())
    guides = list(published.guides().filter(topic__isnull=False).order_by("topic_id", "title").only(*LIST_FIELDS))
    by_topic = {key: list(group) for key, group in itertools.groupby(guides, key=lambda article: article.topic_id)}
    topic_blocks = [
        {
            "topic": topic,
            "articles": by_topic[topic.pk][:TOPIC_PREVIEW],
            "more": len(by_topic[topic.pk]) > TOPIC_PREVIEW,
        }
        for topic in topics
        if by_topic.get(topic.pk)
    ]
    context = {
        "topic_blocks": topic_blocks,
        "newcomers": list(published.guides().filter(for_newcomers=True).order_by("title")[:NEWCOMERS_PREVIEW]),
        "release_notes": list(published.release_notes().only(*LIST_FIELDS)[:RELEASE_NOTES_PREVIEW]),
        "sessions": list(DemoSession.objects.upcoming()[:SESSIONS_PREVIEW]),
        "contact": _contact(),
        "can_edit": can_edit_knowledge(_actor(request)),
    }
    return render(request, "knowledge/help.html", context)


@require_GET
def search(request):
    raw = request.GET.get("q", "")
    query = raw.strip()[:MAX_QUERY_LENGTH]
    terms = query_words(query)
    page = None
    if terms:
        page = _page(request, search_articles(Article.objects.published().select_related("topic"), query))
    context = {
        "query": query,
        "searched": bool(query),
        "too_short": bool(query) and not terms,
        "page": page,
        "page_query": urlencode({"q": query}) if terms else "",
        "show_results": page is not None,
        "contact": _contact(),
    }
    return render(request, "knowledge/search.html", context)


@require_GET
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    articles = Article.objects.published().guides().filter(topic=topic).order_by("title").only(*LIST_FIELDS)
    return render(
        request, "knowledge/topic.html", {"topic": topic, "page": _page(request, articles), "page_query": ""}
    )


@require_GET
def article_detail(request, slug):
    article = get_object_or_404(Article.objects.visible_to(_actor(request)).select_related("topic"), slug=slug)
    return render(
        request,
        "knowledge/article.html",
        {"article": article, "can_edit": can_edit_knowledge(_actor(request)), "contact": _contact()},
    )


@require_GET
def release_notes(request):
    notes = Article.objects.published().release_notes().order_by("-release_date", "-published_at", "pk")
    return render(request, "knowledge/release_notes.html", {"page": _page(request, notes, 10), "page_query": ""})


@require_GET
def sessions(request):
    now = timezone.now()
    upcoming = list(DemoSession.objects.upcoming(now)[:SESSIONS_PAGE_SIZE])
    months = [
        {"month": month, "sessions": list(group)}
        for month, group in itertools.groupby(
            upcoming, key=lambda session: timezone.localtime(session.starts_at).date().replace(day=1)
        )
    ]
    past = list(DemoSession.objects.past(now).order_by("-starts_at")[:10])
    return render(request, "knowledge/sessions.html", {"months": months, "past": past})


@require_http_methods(["GET", "POST"])
def suggestions(request):
    """An HTML fragment: at most five published articles for what the requester is typing. Bounded
    work: input cut to a few hundred characters, at most eight significant words, one query."""
    # The support form posts what is being typed (never in a URL, so never in an access log).
    data = request.POST if request.method == "POST" else request.GET
    articles = suggest_articles(data.get("subject", ""), data.get("q", ""), data.get("description", ""))
    response = render(request, "knowledge/partials/_suggestions.html", {"articles": articles})
    response["Cache-Control"] = "private, no-store"
    return response
