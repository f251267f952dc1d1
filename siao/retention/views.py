"""Retention runs and the legal archive (docs/data-protection.md).

- Administrateur national: the runs (start a dry run or a purge, follow its progress, read its
  report) and the special authorizations to read the archive (grant, revoke).
- A user holding an active authorization: search and read the archive, every search and read
  audited; files outside the authorization's département answer 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required

from . import actions
from .display import person_labels, readable
from .forms import ArchiveSearchForm, AuthorizationForm, RunForm
from .management.commands.retention_run import format_report
from .models import ArchiveAuthorization, RetentionRun, RunStatus
from .permissions import active_authorization, can_manage_retention


def _has_authorization(actor) -> bool:
    return active_authorization(actor) is not None


@actor_required(can_manage_retention)
def run_list(request):
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = actions.start_run(actor=request.actor, dry_run=form.cleaned_data["mode"] == "dry_run")
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Le passage est demandé : il démarre dès qu'un processus de tâches est libre.")
            return redirect("retention:run_detail", public_id=run.public_id)
    page = Paginator(RetentionRun.objects.select_related("requested_by"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "retention/run_list.html",
        {"form": form, "page": page, "retention_months": settings.RETENTION_MONTHS},
    )


def _get_run(public_id) -> RetentionRun:
    return get_object_or_404(RetentionRun.objects.select_related("requested_by"), public_id=public_id)


@actor_required(can_manage_retention)
def run_detail(request, public_id):
    run = _get_run(public_id)
    report = format_report(run.report, dry_run=run.dry_run) if run.report else ""
    return render(
        request,
        "retention/run_detail.html",
        {"run": run, "report_lines": report.splitlines(), "in_progress": run.status in ACTIVE_STATUSES},
    )


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


@actor_required(can_manage_retention)
def run_status(request, public_id):
    """The run's progress, polled by the page (siao/static/siao/run-progress.js)."""
    run = _get_run(public_id)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "step": run.step,
            "done": run.done,
            "total": run.total,
            "percent": run.percent,
            "finished": run.status not in ACTIVE_STATUSES,
        }
    )


@actor_required(can_manage_retention)
def authorization_list(request):
    form = AuthorizationForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.grant_authorization(
                actor=request.actor,
                user=form.user,
                purpose=data["purpose"],
                reference=data["reference"],
                department=data["department"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Autorisation accordée à {form.user.email}.")
            return redirect("retention:authorization_list")
    authorizations = ArchiveAuthorization.objects.select_related("user", "granted_by", "department", "revoked_by")
    page = Paginator(authorizations, 50).get_page(request.GET.get("page"))
    return render(request, "retention/authorization_list.html", {"form": form, "page": page})


@require_POST
@actor_required(can_manage_retention)
def authorization_revoke(request, public_id):
    authorization = get_object_or_404(ArchiveAuthorization.objects.select_related("user"), public_id=public_id)
    try:
        actions.revoke_authorization(actor=request.actor, authorization=authorization)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'autorisation de {authorization.user.email} est révoquée.")
    return redirect("retention:authorization_list")


@actor_required()
def archive_search(request):
    authorization = active_authorization(request.actor)
    if authorization is None:
        raise PermissionDenied("Vous n'avez pas d'autorisation spéciale en cours pour consulter l'archive légale.")
    form = ArchiveSearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        results = actions.search_archive(
            actor=request.actor,
            last_name=data["nom"].strip(),
            first_name=data["prenom"].strip(),
            birth_date=data["naissance"],
            file_number=data["dossier"],
        )
    return render(
        request,
        "retention/archive_search.html",
        {"form": form, "results": results, "authorization": authorization, "limit": actions.SEARCH_LIMIT},
    )


@actor_required()
def archive_detail(request, file_number):
    if not _has_authorization(request.actor):
        raise PermissionDenied("Vous n'avez pas d'autorisation spéciale en cours pour consulter l'archive légale.")
    file = actions.read_archived_file(actor=request.actor, file_number=file_number)
    if file is None:
        raise Http404("Dossier archivé introuvable.")
    persons = [(person, person_labels(person)) for person in file.persons.order_by("pk")]
    return render(
        request, "retention/archive_detail.html", {"file": file, "persons": persons, "content": readable(file.content)}
    )
