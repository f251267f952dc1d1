"""The web pages around the partner interconnection API (mounted at /partenaires/).

- Administrateur national: the partner clients (list, registration, detail, edit, activation),
  their secrets (rotation with a grace period, revocation) and webhook signing secret
  (rotation), the delivery log of their webhooks and the replay of parked events. A secret
  is shown once, in the response to the POST that made it (never stored in clear, never put
  in the session), with `Cache-Control: no-store`.
- State roles (Administrateur national, Administrateur départemental, Analyste): the
  availability of the contingent préfectoral of their départements."""

import csv
import json
import secrets
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.accounts.enums import Role
from siao.core.forms import add_validation_errors
from siao.geo.models import Department
from siao.offer.quota import quota_rows

from . import actions
from .enums import EventStatus
from .forms import ClientForm, EventFilterForm, GraceForm
from .models import ClientSecret, PartnerClient, WebhookEvent

EVENTS_PAGE_SIZE = 50
QUOTA_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.ANALYST})


def can_view_quota(actor) -> bool:
    return actor is not None and actor.role in QUOTA_ROLES


def _render_form(request, template, context, form, status=None):
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {**context, "once": _issue_once(request)}, status=status)


# The forms that show a secret once act once: each carries a one-time token, so that a reload
# of the page that shows the secrets (the browser sends the POST again) registers or rotates
# nothing more.
ONCE_SESSION_KEY = "partners_forms_once"
ONCE_KEPT = 20


def _issue_once(request) -> str:
    token = secrets.token_urlsafe(16)
    issued = request.session.get(ONCE_SESSION_KEY, [])[-(ONCE_KEPT - 1) :]
    request.session[ONCE_SESSION_KEY] = [*issued, token]
    return token


def _consume_once(request) -> bool:
    issued = request.session.get(ONCE_SESSION_KEY, [])
    token = request.POST.get("once", "")
    if token not in issued:
        return False
    request.session[ONCE_SESSION_KEY] = [t for t in issued if t != token]
    return True


ALREADY_SENT = (
    "Ce formulaire a déjà été envoyé : rien n'a été refait. Les secrets ne sont affichés qu'une fois ; "
    "s'ils sont perdus, renouvelez-les."
)


def _secrets_shown(request, *, client, title, intro, values):
    """The page that shows new secrets, once: not cached, not kept anywhere."""
    response = render(
        request, "partners/secrets_shown.html", {"client": client, "title": title, "intro": intro, "values": values}
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _get_client(public_id, queryset=None) -> PartnerClient:
    return get_object_or_404(queryset if queryset is not None else PartnerClient.objects.all(), public_id=public_id)


def _detail(client):
    return redirect("partners:client_detail", public_id=client.public_id)


# -- clients ----------------------------------------------------------------------------------


@actor_required(actions.can_manage_partners)
def client_list(request):
    clients = (
        PartnerClient.objects.prefetch_related("operators")
        .annotate(
            pending_count=Count("events", filter=Q(events__status=EventStatus.PENDING)),
            dead_count=Count("events", filter=Q(events__status=EventStatus.DEAD)),
        )
        .order_by("name", "pk")
    )
    return render(request, "partners/client_list.html", {"clients": clients})


@actor_required(actions.can_manage_partners)
def client_create(request):
    form = ClientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not _consume_once(request):
        messages.warning(request, ALREADY_SENT)
        return redirect("partners:client_list")
    if request.method == "POST" and form.is_valid():
        try:
            registered = actions.register_client(actor=request.actor, **form.action_kwargs())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            client = registered.client
            return _secrets_shown(
                request,
                client=client,
                title=f"Client « {client.name} » enregistré",
                intro="Transmettez ces valeurs au partenaire par un canal sûr. Les secrets ne sont affichés "
                "qu'une fois : le SI SIAO n'en garde que l'empreinte et ne pourra plus les montrer.",
                values=[
                    ("Identifiant client (client_id)", client.client_id, False),
                    ("Secret client (client_secret)", registered.client_secret, True),
                    ("Secret de signature des webhooks", registered.webhook_secret, True),
                ],
            )
    return _render_form(request, "partners/client_form.html", {"form": form, "client": None}, form)


@actor_required(actions.can_manage_partners)
def client_detail(request, public_id):
    client = _get_client(
        public_id, PartnerClient.objects.select_related("created_by").prefetch_related("operators", "secrets")
    )
    counts = dict(
        WebhookEvent.objects.filter(client=client)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    now = timezone.now()
    secrets = list(client.secrets.all())
    for secret in secrets:
        secret.valid_now = secret.is_valid(now)
    context = {
        "client": client,
        "secrets": secrets,
        "counts": [(status, label, counts.get(status, 0)) for status, label in EventStatus.choices],
        "dead_count": counts.get(EventStatus.DEAD, 0),
        "webhook_overlap": bool(
            client.previous_webhook_salt
            and client.previous_webhook_salt_until
            and client.previous_webhook_salt_until > now
        ),
    }
    return render(request, "partners/client_detail.html", context)


@actor_required(actions.can_manage_partners)
def client_edit(request, public_id):
    client = _get_client(public_id, PartnerClient.objects.prefetch_related("operators"))
    posted = request.method == "POST"
    form = ClientForm(request.POST) if posted else ClientForm(initial=ClientForm.initial_for(client))
    if posted and form.is_valid():
        try:
            changed = actions.update_client(actor=request.actor, client=client, **form.action_kwargs())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            if changed:
                messages.success(
                    request,
                    "Client modifié."
                    + (
                        " Ses jetons en cours sont révoqués : il en demande de nouveaux avec ses nouveaux droits."
                        if {"scopes", "operators"} & set(changed)
                        else ""
                    ),
                )
            else:
                messages.info(request, "Aucune modification.")
            return _detail(client)
    return _render_form(request, "partners/client_form.html", {"form": form, "client": client}, form)


@require_POST
@actor_required(actions.can_manage_partners)
def client_set_active(request, public_id):
    client = _get_client(public_id)
    value = request.POST.get("actif")
    if value not in ("oui", "non"):
        messages.error(request, "Action inconnue : rechargez la page et réessayez.")
        return _detail(client)
    actions.set_client_active(actor=request.actor, client=client, active=value == "oui")
    if value == "oui":
        messages.success(
            request, f"Le client « {client.name} » est réactivé : il peut de nouveau demander des jetons."
        )
    else:
        messages.success(
            request,
            f"Le client « {client.name} » est désactivé : ses jetons sont révoqués et il ne peut plus appeler l'API.",
        )
    return _detail(client)


# -- secrets ----------------------------------------------------------------------------------


def _rotate(request, public_id, *, webhook: bool):
    client = _get_client(public_id)
    form = GraceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not _consume_once(request):
        messages.warning(request, ALREADY_SENT)
        return _detail(client)
    if request.method == "POST" and form.is_valid():
        rotate = actions.rotate_webhook_secret if webhook else actions.rotate_secret
        try:
            secret = rotate(actor=request.actor, client=client, grace_days=form.cleaned_data["grace_days"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            grace = form.cleaned_data["grace_days"]
            previous = "L'ancien secret de signature" if webhook else "L'ancien secret"
            if grace:
                overlap = (
                    f"{previous} reste valide {grace} jour{'s' if grace > 1 else ''} : déployez le nouveau d'ici là."
                )
            else:
                overlap = f"{previous} ne vaut plus dès maintenant."
            return _secrets_shown(
                request,
                client=client,
                title="Nouveau secret de signature des webhooks" if webhook else "Nouveau secret client",
                intro=f"{overlap} Le nouveau secret n'est affiché qu'une fois : transmettez-le au partenaire par "
                "un canal sûr.",
                values=[
                    ("Identifiant client (client_id)", client.client_id, False),
                    (
                        "Secret de signature des webhooks" if webhook else "Secret client (client_secret)",
                        secret,
                        True,
                    ),
                ],
            )
    context = {"client": client, "form": form, "webhook": webhook}
    return _render_form(request, "partners/secret_rotate.html", context, form)


@actor_required(actions.can_manage_partners)
def secret_rotate(request, public_id):
    return _rotate(request, public_id, webhook=False)


@actor_required(actions.can_manage_partners)
def webhook_secret_rotate(request, public_id):
    return _rotate(request, public_id, webhook=True)


@require_POST
@actor_required(actions.can_manage_partners)
def secret_revoke(request, public_id, secret_id):
    client = _get_client(public_id)
    secret = get_object_or_404(ClientSecret, pk=secret_id, client=client)
    try:
        actions.revoke_secret(actor=request.actor, secret=secret)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le secret …{secret.hint} est révoqué : il ne permet plus d'obtenir de jeton.")
    return _detail(client)


# -- delivery log -----------------------------------------------------------------------------


@actor_required(actions.can_manage_partners)
def event_list(request, public_id):
    client = _get_client(public_id)
    form = EventFilterForm(request.GET or None)
    events = WebhookEvent.objects.filter(client=client).order_by("-pk")
    status = ""
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["statut"]
        if status:
            events = events.filter(status=status)
    page = Paginator(
        events.only(
            "pk",
            "event_id",
            "client_id",
            "type",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "last_error",
        ),
        EVENTS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context = {
        "client": client,
        "form": form,
        "page": page,
        "status": status,
        "query": f"statut={status}" if status else "",
        "dead_count": WebhookEvent.objects.filter(client=client, status=EventStatus.DEAD).count(),
    }
    return render(request, "partners/event_list.html", context, status=400 if form.errors else 200)


def _get_event(client, event_id) -> WebhookEvent:
    return get_object_or_404(WebhookEvent, client=client, event_id=event_id)


@actor_required(actions.can_manage_partners)
def event_detail(request, public_id, event_id):
    client = _get_client(public_id)
    event = _get_event(client, event_id)
    context = {
        "client": client,
        "event": event,
        "attempts": list(event.delivery_attempts.all()),
        "payload": json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True),
    }
    return render(request, "partners/event_detail.html", context)


@require_POST
@actor_required(actions.can_manage_partners)
def event_replay(request, public_id, event_id):
    client = _get_client(public_id)
    event = _get_event(client, event_id)
    if actions.replay_events(actor=request.actor, client=client, events=[event]):
        messages.success(request, "L'événement est remis dans la file d'envoi : le prochain passage l'enverra.")
    else:
        messages.error(request, "Cet événement n'est pas en échec : il n'y a rien à rejouer.")
    return redirect("partners:event_detail", public_id=client.public_id, event_id=event.event_id)


@require_POST
@actor_required(actions.can_manage_partners)
def event_replay_all(request, public_id):
    client = _get_client(public_id)
    count = actions.replay_events(actor=request.actor, client=client)
    if count:
        messages.success(
            request,
            f"{count} événement{'s' if count > 1 else ''} remis dans la file d'envoi, dans leur ordre d'origine.",
        )
    else:
        messages.info(request, "Aucun événement en échec : il n'y a rien à rejouer.")
    return redirect("partners:event_list", public_id=client.public_id)


# -- contingent préfectoral -------------------------------------------------------------------


def _quota_department_ids(actor):
    """None: every département (national perimeter); else the actor's départements."""
    return None if actor.perimeter.is_national else actor.perimeter.department_ids


def _csv_cell(value):
    """No formula injection in the spreadsheet that opens the export."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


QUOTA_HEADERS = [
    "Département",
    "Dispositif",
    "Entité gestionnaire",
    "Total géré",
    "Contingent préfectoral",
    "Places",
    "Places disponibles",
    "Contingent disponible",
]


@actor_required(can_view_quota)
def quota(request):
    allowed = _quota_department_ids(request.actor)
    departments = Department.objects.order_by("code")
    if allowed is not None:
        departments = departments.filter(pk__in=allowed)
    departments = list(departments.only("pk", "code", "name"))
    code = request.GET.get("departement", "")
    selected = None
    if code:
        selected = next((d for d in departments if d.code == code), None)
        if selected is None:
            raise Http404("Département introuvable dans votre périmètre.")
    department_ids = [selected.pk] if selected else allowed
    rows = quota_rows(department_ids=department_ids)
    if request.GET.get("export") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(QUOTA_HEADERS)
        for row in rows:
            program = row.program
            writer.writerow(
                [
                    _csv_cell(v)
                    for v in (
                        row.department_code,
                        program.name,
                        program.operator.name,
                        program.total_managed,
                        program.prefectoral_quota,
                        row.places,
                        row.available_places,
                        row.quota_available,
                    )
                ]
            )
        suffix = selected.code if selected else ("national" if allowed is None else "perimetre")
        filename = f"contingent-prefectoral-{suffix}-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    names = {d.code: d.name for d in departments}
    groups = []
    for department_code, items in groupby(rows, key=lambda r: r.department_code):
        items = list(items)
        groups.append(
            {
                "code": department_code,
                "name": names.get(department_code, ""),
                "rows": items,
                "total_managed": sum(r.program.total_managed for r in items),
                "quota": sum(r.program.prefectoral_quota for r in items),
                "places": sum(r.places for r in items),
                "available_places": sum(r.available_places for r in items),
                "quota_available": sum(r.quota_available for r in items),
            }
        )
    context = {
        "groups": groups,
        "departments": departments,
        "selected": selected,
        "is_national": allowed is None,
        "export_query": f"departement={selected.code}&export=csv" if selected else "export=csv",
    }
    return render(request, "partners/quota.html", context)
