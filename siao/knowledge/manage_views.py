"""The editors' pages of the help centre (national administrators): articles with preview,
publication, topics and the sessions calendar."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors

from . import actions
from .enums import ArticleStatus
from .forms import ArticleForm, SessionForm, TopicForm
from .models import Article, DemoSession, Topic
from .permissions import can_edit_knowledge
from .rendering import render_markdown

editor_required = actor_required(can_edit_knowledge)


@editor_required
def manage_home(request):
    status = request.GET.get("statut", "")
    articles = Article.objects.select_related("topic").order_by("-updated_at", "pk")
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_query": f"statut={status}" if status in ArticleStatus.values else "",
        "status": status,
        "statuses": ArticleStatus.choices,
        "topics": list(Topic.objects.all()),
        "sessions": list(DemoSession.objects.upcoming()[:20]),
    }
    return render(request, "knowledge/manage/home.html", context)


def _article_form_page(request, form, article=None):
    preview = None
    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        preview = render_markdown(form.cleaned_data["body"])
    return render(
        request, "knowledge/manage/article_form.html", {"form": form, "article": article, "preview": preview}
    )


@editor_required
def article_create(request):
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            article = actions.create_article(actor=request.actor, values=form.action_input())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "L'article est enregistré comme brouillon : publiez-le pour le rendre public.")
            return redirect("knowledge:article_edit", article.public_id)
    return _article_form_page(request, form)


@editor_required
def article_edit(request, public_id):
    article = get_object_or_404(Article.objects.select_related("topic"), public_id=public_id)
    form = ArticleForm(request.POST or None, article=article)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            changed = actions.update_article(actor=request.actor, article=article, values=form.action_input())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Les modifications sont enregistrées." if changed else "Aucune modification.")
            return redirect("knowledge:article_edit", article.public_id)
    return _article_form_page(request, form, article)


@require_POST
@editor_required
def article_publish(request, public_id):
    article = get_object_or_404(Article, public_id=public_id)
    actions.publish_article(actor=request.actor, article=article)
    messages.success(request, f"« {article.title} » est publié.")
    return redirect("knowledge:article_edit", article.public_id)


@require_POST
@editor_required
def article_unpublish(request, public_id):
    article = get_object_or_404(Article, public_id=public_id)
    actions.unpublish_article(actor=request.actor, article=article)
    messages.success(request, f"« {article.title} » est retiré du centre d'aide (brouillon).")
    return redirect("knowledge:article_edit", article.public_id)


@editor_required
def topic_create(request):
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_topic(actor=request.actor, values=form.action_input())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Le thème est créé.")
            return redirect("knowledge:manage")
    return render(request, "knowledge/manage/topic_form.html", {"form": form, "topic": None})


@editor_required
def topic_edit(request, public_id):
    topic = get_object_or_404(Topic, public_id=public_id)
    initial = {"name": topic.name, "slug": topic.slug, "description": topic.description, "position": topic.position}
    form = TopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_topic(actor=request.actor, topic=topic, values=form.action_input())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Le thème est modifié." if changed else "Aucune modification.")
            return redirect("knowledge:manage")
    return render(request, "knowledge/manage/topic_form.html", {"form": form, "topic": topic})


@require_POST
@editor_required
def topic_delete(request, public_id):
    topic = get_object_or_404(Topic, public_id=public_id)
    try:
        actions.delete_topic(actor=request.actor, topic=topic)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le thème « {topic.name} » est supprimé.")
    return redirect("knowledge:manage")


@editor_required
def session_create(request):
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_session(actor=request.actor, values=form.action_input())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "La session est ajoutée au calendrier.")
            return redirect("knowledge:manage")
    return render(request, "knowledge/manage/session_form.html", {"form": form, "session": None})


@editor_required
def session_edit(request, public_id):
    session = get_object_or_404(DemoSession, public_id=public_id)
    form = SessionForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_session(actor=request.actor, session=session, values=form.action_input())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "La session est modifiée." if changed else "Aucune modification.")
            return redirect("knowledge:manage")
    return render(request, "knowledge/manage/session_form.html", {"form": form, "session": session})


@require_POST
@editor_required
def session_delete(request, public_id):
    session = get_object_or_404(DemoSession, public_id=public_id)
    actions.delete_session(actor=request.actor, session=session)
    messages.success(request, f"La session « {session.title} » est retirée du calendrier.")
    return redirect("knowledge:manage")
