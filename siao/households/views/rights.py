"""The rights of households: record a request on the file, read and answer it, export a
person's data (printable page or JSON file), and the SIAO's register of requests."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.accounts.enums import Role
from siao.core.forms import add_validation_errors
from siao.households import actions, rights
from siao.households.access import get_household_for, get_member_for
from siao.households.enums import RightsRequestKind, RightsRequestStatus
from siao.households.forms.rights import (
    WHOLE_HOUSEHOLD,
    ExportForm,
    RegisterFilterForm,
    RightsAnswerForm,
    RightsRequestForm,
)
from siao.households.models import Person
from siao.households.permissions import ROLES_ALLOWED, has_role_for

REGISTER_PAGE_SIZE = 50
RIGHTS_PAGE = "rights_request"


def _persons(household) -> list[Person]:
    """Current members first, then those who left (each once)."""
    members = household.members.select_related("person").order_by("left_on", "joined_on", "pk")
    seen, persons = set(), []
    for member in members:
        if member.person_id not in seen:
            seen.add(member.person_id)
            persons.append(member.person)
    return persons


def _rights_request_of(household, request_id):
    rights_request = (
        household.rights_requests.filter(public_id=request_id)
        .select_related("person", "organization", "recorded_by", "answered_by", "last_exported_by")
        .first()
    )
    if rights_request is None:
        raise Http404("Demande introuvable.")
    rights_request.household = household
    return rights_request


def _detail_url(rights_request) -> str:
    return reverse(
        "households:rights_request_detail", args=[rights_request.household.public_id, rights_request.public_id]
    )


def _no_store(response):
    """Personal data: not kept by the browser's or a proxy's cache."""
    response["Cache-Control"] = "no-store"
    return response


@actor_required(rights.can_record_rights_request)
def rights_request_create(request, public_id):
    actor = request.actor
    household = get_household_for(actor, public_id)
    persons = _persons(household)
    form = RightsRequestForm(request.POST or None, persons=persons, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = next((p for p in persons if str(p.public_id) == data["person"]), None)
        if data["person"] != WHOLE_HOUSEHOLD and person is None:
            form.add_error("person", "Choisissez une personne du ménage.")
        else:
            try:
                rights_request = rights.record_rights_request(
                    actor=actor,
                    household=household,
                    person=person,
                    kind=data["kind"],
                    received_on=data["received_on"],
                    channel=data["channel"],
                    by_representative=data["by_representative"],
                    representative=data["representative"],
                    details=data["details"],
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Demande enregistrée : réponse due au plus tard le {rights_request.due_on:%d/%m/%Y}.",
                )
                return redirect(_detail_url(rights_request))
    return render(
        request,
        "households/rights_request_form.html",
        {"household": household, "form": form, "title": "Enregistrer une demande d'exercice des droits"},
        status=400 if form.errors else 200,
    )


def _detail_context(request, household, rights_request, answer_form=None) -> dict:
    actor = request.actor
    may_answer = rights_request.is_open and rights.holds_file(actor, household)
    if may_answer and answer_form is None:
        answer_form = RightsAnswerForm(initial={"answered_on": timezone.localdate()})
    person = rights_request.person
    current = person is not None and household.members.filter(person=person, left_on__isnull=True).exists()
    return {
        "household": household,
        "rights_request": rights_request,
        "answer_form": answer_form if may_answer else None,
        "may_export": may_answer and rights_request.kind == RightsRequestKind.ACCESS,
        "export_persons": _persons(household) if person is None else [person],
        "rectification": rights_request.kind == RightsRequestKind.RECTIFICATION and rights_request.is_open,
        "may_edit": actor.role in ROLES_ALLOWED["edit_household"],
        "may_edit_person": current and bool(actions.editable_person_fields(actor)),
        "title": str(rights_request),
    }


@actor_required(has_role_for("view_households"))
def rights_request_detail(request, public_id, request_id):
    actor = request.actor
    household = get_household_for(actor, public_id)
    rights_request = _rights_request_of(household, request_id)
    actions.view_household(actor=actor, household=household, page=RIGHTS_PAGE, obj=rights_request)
    return _no_store(
        render(request, "households/rights_request_detail.html", _detail_context(request, household, rights_request))
    )


@require_POST
@actor_required(rights.can_answer_rights_requests)
def rights_request_answer(request, public_id, request_id):
    actor = request.actor
    household = get_household_for(actor, public_id)
    rights_request = _rights_request_of(household, request_id)
    if not rights.holds_file(actor, household):
        raise PermissionDenied(rights.NOT_HOLDER)
    form = RightsAnswerForm(request.POST)
    if form.is_valid():
        try:
            rights.answer_rights_request(
                actor=actor,
                rights_request=rights_request,
                outcome=form.cleaned_data["outcome"],
                answer=form.cleaned_data["answer"],
                answered_on=form.cleaned_data["answered_on"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", "") == "closed":
                messages.error(request, " ".join(exc.messages))
                return redirect(_detail_url(rights_request))
            add_validation_errors(form, exc)
        else:
            done = "satisfaite" if rights_request.status == RightsRequestStatus.ANSWERED else "refusée"
            messages.success(request, f"Réponse enregistrée : demande {done}.")
            return redirect(_detail_url(rights_request))
    if not rights_request.is_open:  # closed meanwhile: the form is gone, say why
        messages.error(request, "Cette demande a déjà reçu une réponse : elle est close.")
        return redirect(_detail_url(rights_request))
    actions.view_household(actor=actor, household=household, page=RIGHTS_PAGE, obj=rights_request)
    context = _detail_context(request, household, rights_request, answer_form=form)
    return _no_store(render(request, "households/rights_request_detail.html", context, status=400))


@actor_required(rights.can_answer_rights_requests)
def person_export(request, public_id, person_id):
    """The export screen (which access request it answers), then the export itself: the
    printable page, or the JSON file as an attachment. A POST: the export is an action
    (recorded on the request and audited), never a link to follow."""
    actor = request.actor
    household = get_household_for(actor, public_id)
    if not rights.holds_file(actor, household):
        raise PermissionDenied(rights.NOT_HOLDER)
    person = get_member_for(household, person_id, current=False).person
    requests = list(rights.open_access_requests(household, person))
    form = ExportForm(request.POST or None, requests=requests)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        output = data["output"] or "html"
        try:
            with transaction.atomic():
                if form.is_new:
                    rights_request = rights.record_rights_request(
                        actor=actor,
                        household=household,
                        person=person,
                        kind=RightsRequestKind.ACCESS,
                        received_on=data["received_on"],
                        channel=data["channel"],
                        by_representative=data["by_representative"],
                        representative=data["representative"],
                    )
                else:
                    rights_request = next(r for r in requests if str(r.public_id) == data["rights_request"])
                    rights_request.household = household
                export = rights.export_person_data(
                    actor=actor, rights_request=rights_request, person=person, output=output
                )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            if output == "json":
                return _json_attachment(export, person)
            return _no_store(
                render(
                    request,
                    "households/rights_export.html",
                    {
                        "household": household,
                        "person": person,
                        "rights_request": rights_request,
                        "export": export,
                        "display": rights.export_display(export),
                        "title": f"Données détenues sur {person}",
                    },
                )
            )
    return render(
        request,
        "households/rights_export_form.html",
        {
            "household": household,
            "person": person,
            "form": form,
            "title": f"Exporter les données de {person}",
        },
        status=400 if form.errors else 200,
    )


def _json_attachment(export: dict, person) -> HttpResponse:
    content = json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    filename = f"donnees-si-siao-{person.public_id}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _no_store(response)


@actor_required(rights.can_view_register)
def rights_register(request):
    actor = request.actor
    form = RegisterFilterForm(request.GET or None)
    status = form.cleaned_data["statut"] if form.is_valid() else ""
    paginator = Paginator(rights.register_for(actor, status=status), REGISTER_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/rights_register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_names": actor.role in ROLES_ALLOWED["view_households"],
            "national": actor.role == Role.NATIONAL_ADMIN,
            "title": "Registre des demandes d'exercice des droits",
        },
    )
