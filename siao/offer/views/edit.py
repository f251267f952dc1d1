"""After creation: complete a program's information (the seed's step 5, "pouvant être saisie plus
tard par le gestionnaire d'entité ou le responsable de dispositif"), and an operator's page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from siao.accounts.decorators import actor_required
from siao.accounts.enums import Role
from siao.accounts.models import Membership
from siao.core.forms import add_validation_errors
from siao.offer.access import get_operator_for, get_place_group_for, get_program_for
from siao.offer.actions.edit import update_operator, update_program_complements
from siao.offer.actions.places import change_place_group_capacity
from siao.offer.forms.edit import CapacityForm, OperatorEditForm
from siao.offer.forms.wizard import ComplementsStepForm
from siao.offer.models import Program
from siao.offer.permissions import (
    can_edit_operator,
    can_edit_program_complements,
    can_manage_place_groups,
    has_role_for,
)


def _complements_initial(program: Program) -> dict:
    return {
        "insee_code": program.commune.insee_code if program.commune else "",
        "address": program.address,
        "address_complement": program.address_complement,
        "postal_code": program.postal_code,
        "city": program.city,
        "contact_phone": program.contact_phone,
        "contact_email": program.contact_email,
        "cancel_non_smo_authorizations": "yes" if program.cancel_non_smo_authorizations else "no",
        "crod_coverage": "yes" if program.crod_coverage else "no",
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
    }


@actor_required(has_role_for("view_programs"))
def program_complements(request, public_id):
    program = get_program_for(request.actor, public_id)
    if not can_edit_program_complements(request.actor, program):
        raise PermissionDenied("Votre profil ne permet pas de compléter ce dispositif.")
    form = ComplementsStepForm(
        request.POST or None, draft=None, department=program.department, initial=_complements_initial(program)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = update_program_complements(actor=request.actor, program=program, values=form.program_values())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Informations enregistrées." if changed else "Aucune information n'a changé.")
            return redirect("offer:program_detail", public_id=program.public_id)
    return render(request, "offer/edit/program_complements.html", {"program": program, "form": form})


@actor_required(has_role_for("view_programs"))
def operator_detail(request, public_id):
    operator = get_operator_for(request.actor, public_id)
    managers = (
        Membership.objects.active()
        .filter(organization=operator, role=Role.OPERATOR_MANAGER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    programs = Program.objects.visible_to(request.actor).filter(operator=operator).select_related("department")
    context = {
        "operator": operator,
        "departments": list(operator.departments.all()),
        "managers": managers,
        "programs": programs.order_by("name"),
        "may_edit": can_edit_operator(request.actor, operator),
    }
    return render(request, "offer/edit/operator_detail.html", context)


@actor_required(has_role_for("view_programs"))
def operator_edit(request, public_id):
    operator = get_operator_for(request.actor, public_id)
    if not can_edit_operator(request.actor, operator):
        raise PermissionDenied("Votre profil ne permet pas de modifier cette entité gestionnaire.")
    initial = {name: getattr(operator, name) for name in OperatorEditForm.base_fields}
    form = OperatorEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = update_operator(actor=request.actor, operator=operator, values=form.cleaned_data)
        messages.success(request, "Entité gestionnaire enregistrée." if changed else "Aucune information n'a changé.")
        return redirect("offer:operator_detail", public_id=operator.public_id)
    return render(request, "offer/edit/operator_edit.html", {"operator": operator, "form": form})


@actor_required(has_role_for("manage_place_groups"))
def place_group_capacity(request, public_id):
    group = get_place_group_for(request.actor, public_id)
    if not can_manage_place_groups(request.actor, group.program):
        raise PermissionDenied("Votre profil ne permet pas de modifier ce groupe de places.")
    form = CapacityForm(request.POST or None, initial={"capacity": group.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            change_place_group_capacity(actor=request.actor, place_group=group, capacity=form.cleaned_data["capacity"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"Capacité de « {group.name} » : {form.cleaned_data['capacity']}.")
            return redirect(
                f"{reverse('offer:program_detail', args=[group.program.public_id])}#group-{group.public_id}"
            )
    return render(request, "offer/edit/place_group_capacity.html", {"group": group, "form": form})
