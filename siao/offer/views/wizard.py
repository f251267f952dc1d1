"""The creation wizard's pages: "Créer un nouveau dispositif — Étape N sur 6", its drafts, the
operator created on the way, the cancellation and the confirmation after submission."""

import re
from contextlib import suppress

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from siao.accounts.decorators import actor_required
from siao.accounts.enums import Role
from siao.accounts.models import Membership, Organization
from siao.offer.access import get_draft_for, get_program_for
from siao.offer.actions import wizard as actions
from siao.offer.enums import (
    CATEGORY_OF_TYPE,
    FUNDING_LINES,
    NO_OFFER_CATEGORIES,
    FundingLine,
    FundingUnit,
    ProgramCategory,
    ProgramType,
    is_validated_directly_by_siao,
)
from siao.offer.forms.wizard import FUNDING_FIELDS, STEP_KEYS, OperatorCreationForm, selectable_operators
from siao.offer.models import ProgramDraft
from siao.offer.permissions import has_role_for, operators_visible_q

STEP_TITLES = {
    1: "Sélectionner une entité gestionnaire",
    2: "Sélectionner une nature de dispositif",
    3: "Financement du dispositif",
    4: "Informations générales du dispositif",
    5: "Informations complémentaires du dispositif (optionnel)",
    6: "Récapitulatif et soumission",
}
OPERATORS_SHOWN = 50
can_create_program = has_role_for("create_program")


def _step_url(draft: ProgramDraft, step: int) -> str:
    return reverse("offer:wizard_step", args=[draft.public_id, step])


def _managers_of_visible_operators(actor):
    """Active gestionnaires d'entité, only of operators within the actor's perimeter: an
    operator from elsewhere may be selected (a national operator opening in the département),
    but its staff's names and addresses are not shown."""
    condition = operators_visible_q(actor)
    visible = Organization.objects.filter(condition).values("pk") if condition is not None else []
    return (
        Membership.objects.active()
        .filter(role=Role.OPERATOR_MANAGER, organization__in=visible)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def _managers_prefetch(actor) -> Prefetch:
    return Prefetch("memberships", queryset=_managers_of_visible_operators(actor), to_attr="managers")


def _nature(draft: ProgramDraft) -> dict | None:
    program_type = draft.data.get(STEP_KEYS[2], {}).get("type")
    if program_type not in CATEGORY_OF_TYPE:
        return None
    category = CATEGORY_OF_TYPE[program_type]
    return {
        "type": program_type,
        "type_label": ProgramType(program_type).label,
        "category": category,
        "category_label": ProgramCategory(category).label,
        "is_first_reception": category in NO_OFFER_CATEGORIES,
    }


def _context(draft: ProgramDraft, step: int, **extra) -> dict:
    return {
        "draft": draft,
        "step": step,
        "steps_total": actions.LAST_STEP,
        "step_title": STEP_TITLES[step],
        "next_step_title": STEP_TITLES.get(step + 1, ""),
        "previous_url": _step_url(draft, step - 1) if step > 1 else "",
        "nature": _nature(draft),
        **extra,
    }


# --- start and drafts ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@actor_required(can_create_program)
def wizard_start(request):
    if request.method == "POST":
        draft = actions.start_program_draft(actor=request.actor)
        return redirect(_step_url(draft, 1))
    drafts = ProgramDraft.objects.filter(author=request.actor.user, membership=request.actor.membership)
    rows = [
        {
            "draft": draft,
            "nature": _nature(draft),
            "name": draft.data.get(STEP_KEYS[4], {}).get("name", ""),
            "resume_url": _step_url(draft, min(draft.completed_step + 1, actions.LAST_STEP)),
            "cancel_url": reverse("offer:wizard_cancel", args=[draft.public_id]),
        }
        for draft in drafts
    ]
    return render(request, "offer/wizard/start.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@actor_required(can_create_program)
def wizard_cancel(request, public_id):
    draft = get_draft_for(request.actor, public_id)
    if request.method == "POST":
        actions.delete_program_draft(actor=request.actor, draft=draft)
        messages.success(request, "Le brouillon a été supprimé : aucun dispositif n'a été créé.")
        return redirect("offer:wizard_start")
    back = _step_url(draft, min(draft.completed_step + 1, actions.LAST_STEP))
    return render(request, "offer/wizard/cancel.html", {"draft": draft, "back_url": back, "nature": _nature(draft)})


# --- the steps -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@actor_required(can_create_program)
def wizard_step(request, public_id, step):
    if not 1 <= step <= actions.LAST_STEP:
        raise Http404("Cette étape n'existe pas.")
    draft = get_draft_for(request.actor, public_id)
    if step > draft.completed_step + 1:
        first_open = draft.completed_step + 1
        messages.error(
            request,
            f"Vous ne pouvez pas passer à l'étape {step} : terminez d'abord l'étape {first_open} "
            f"« {STEP_TITLES[first_open]} ».",
        )
        return redirect(_step_url(draft, first_open))
    if step == actions.LAST_STEP:
        return _review(request, draft)
    form = actions.step_form(
        step, actor=request.actor, draft=draft, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        actions.save_draft_step(actor=request.actor, draft=draft, step=step, values=form.stored())
        return redirect(_step_url(draft, step + 1))
    extra = {"form": form}
    if step == 1:
        extra.update(_operator_list(request, draft, form))
    elif step == 4:
        extra["operator"] = form.operator
    elif step == 5:
        operator = actions.draft_operator(request.actor, draft)
        extra["department"] = form.department
        extra["managers"] = (
            _managers_of_visible_operators(request.actor).filter(organization=operator) if operator else []
        )
    return render(request, f"offer/wizard/step_{step}.html", _context(draft, step, **extra))


def _operator_list(request, draft: ProgramDraft, form) -> dict:
    query = request.GET.get("q", "").strip()[:100]
    operators = selectable_operators(request.actor)
    if query:
        condition = Q(name__icontains=query)
        digits = re.sub(r"\s", "", query)
        if digits.isdigit():
            condition |= Q(siren__startswith=digits)
        operators = operators.filter(condition)
    count = operators.count()
    rows = list(operators.order_by("name", "pk").prefetch_related(_managers_prefetch(request.actor))[:OPERATORS_SHOWN])
    selected = str(form["operator"].value() or "")
    if selected and not any(str(o.public_id) == selected for o in rows):
        with suppress(ValidationError):  # a malformed identifier: the form says so
            rows[:0] = (
                selectable_operators(request.actor)
                .filter(public_id=selected)
                .prefetch_related(_managers_prefetch(request.actor))
            )
    return {
        "query": query,
        "operators": rows,
        "operators_count": count,
        "operators_truncated": count > OPERATORS_SHOWN,
        "operators_shown": OPERATORS_SHOWN,
        "selected": selected,
        "may_create_operator": actions.may_create_operator(request.actor),
    }


def _funding_rows(program, category: str) -> list[dict]:
    unit = FundingUnit(program.funding_unit).label.removeprefix("Nombre de ")
    return [
        {"label": FundingLine(line).label, "value": getattr(program, FUNDING_FIELDS[line]), "unit": unit}
        for line in FUNDING_LINES[category]
    ]


def _review(request, draft: ProgramDraft):
    if request.method == "POST":
        try:
            program = actions.submit_program_draft(actor=request.actor, draft=draft)
        except actions.DraftIncomplete as exc:
            messages.error(
                request,
                f"Le dispositif n'a pas été soumis : corrigez l'étape {exc.step} « {STEP_TITLES[exc.step]} ». "
                + " ".join(exc.messages),
            )
            return redirect(_step_url(draft, exc.step))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("offer:wizard_start")
        messages.success(request, f"Le dispositif « {program.name} » a été soumis.")
        return redirect("offer:wizard_done", public_id=program.public_id)
    check = actions.check_program_draft(actor=request.actor, draft=draft)
    extra = {
        "check": check,
        "steps_to_fix": [
            {"step": step, "title": STEP_TITLES[step], "url": _step_url(draft, step), "messages": errors}
            for step, errors in sorted(check.errors.items())
        ],
        "edit_urls": {str(step): _step_url(draft, step) for step in range(1, actions.LAST_STEP)},
    }
    if check.program is not None:
        program = check.program
        extra.update(
            program=program,
            funding_rows=_funding_rows(program, program.category),
            direct=is_validated_directly_by_siao(program.type),
            compositions=[p for p in check.publics if p.kind == "composition"],
            specific_publics=[p for p in check.publics if p.kind == "specific"],
        )
    return render(request, "offer/wizard/step_6.html", _context(draft, actions.LAST_STEP, **extra))


# --- "Vous ne trouvez pas votre entité ?" ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@actor_required(actions.may_create_operator)
def wizard_operator_create(request, public_id):
    draft = get_draft_for(request.actor, public_id)
    form = OperatorCreationForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        operator = actions.OperatorData(
            name=data["name"],
            siren=data["siren"],
            legal_status=data["legal_status"],
            address=data["address"],
            postal_code=data["postal_code"],
            city=data["city"],
            departments=list(data["departments"]),
            accreditation=data["accreditation"],
            collective_agreement=data["collective_agreement"],
            p177_agreement=data["p177_agreement"] == "yes",
            referents=data["referents"],
            manager_email=data["manager_email"],
            manager_first_name=data["manager_first_name"].strip(),
            manager_last_name=data["manager_last_name"].strip(),
        )
        try:
            organization = actions.create_operator(actor=request.actor, operator=operator, draft=draft)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"L'entité gestionnaire « {organization.name} » a été créée et sélectionnée. Elle sera validée "
                f"avec son premier dispositif.",
            )
            return redirect(_step_url(draft, 1))
    existing = form.existing_operator
    select_url = ""
    if existing and selectable_operators(request.actor).filter(pk=existing.pk).exists():
        select_url = f"{_step_url(draft, 1)}?q={existing.siren}"
    return render(
        request,
        "offer/wizard/operator_create.html",
        {
            "form": form,
            "draft": draft,
            "existing": existing,
            "select_url": select_url,
            "step_1_url": _step_url(draft, 1),
        },
    )


# --- after submission -----------------------------------------------------------------------------


@actor_required(can_create_program)
def wizard_done(request, public_id):
    program = get_program_for(request.actor, public_id)
    if program.submitted_by_id != request.actor.user.pk:
        raise Http404("Dispositif introuvable.")
    return render(
        request,
        "offer/wizard/done.html",
        {"program": program, "direct": is_validated_directly_by_siao(program.type)},
    )
