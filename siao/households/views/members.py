"""The persons of a household: their fields (by role), residential situation, arrival,
departure, move to another household and the choice of the head."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.households import actions
from siao.households.access import get_household_for, get_member_for
from siao.households.forms.household import (
    MemberAddForm,
    MemberMoveForm,
    MemberRemoveForm,
    PersonForm,
    ResidentialSituationForm,
)
from siao.households.models import Household
from siao.households.permissions import has_role_for

from .files import household_url

can_view_households = has_role_for("view_households")
can_edit_household = has_role_for("edit_household")


def _done(request, household, message):
    messages.success(request, message)
    return redirect(f"{household_url(household)}#membres")


@actor_required(can_view_households)
def person_edit(request, public_id, person_id):
    household = get_household_for(request.actor, public_id)
    member = get_member_for(household, person_id)
    person = member.person
    fields = actions.editable_person_fields(request.actor)
    if not fields:
        raise PermissionDenied("Votre profil ne permet pas de modifier les personnes du ménage.")
    initial = {name: getattr(person, name) for name in fields}
    if request.method == "GET":  # the form shows the person's data, sensitive fields included
        actions.view_household(actor=request.actor, household=household, page="person", obj=person)
    form = PersonForm(request.POST or None, fields=fields, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if value != initial[name]}
        try:
            changed = actions.update_person(actor=request.actor, person=person, data=changes)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _done(
                request, household, "Informations enregistrées." if changed else "Aucune information n'a changé."
            )
    return render(
        request,
        "households/person_edit.html",
        {"household": household, "person": person, "form": form},
        status=400 if form.errors else 200,
    )


@actor_required(can_edit_household)
def residential_situation_create(request, public_id, person_id):
    household = get_household_for(request.actor, public_id)
    person = get_member_for(household, person_id).person
    form = ResidentialSituationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_residential_situation(actor=request.actor, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _done(request, household, "Situation résidentielle enregistrée.")
    return render(
        request,
        "households/residential_situation.html",
        {"household": household, "person": person, "form": form},
        status=400 if form.errors else 200,
    )


@actor_required(can_edit_household)
def member_add(request, public_id):
    household = get_household_for(request.actor, public_id)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_member(
                actor=request.actor,
                household=household,
                relationship=form.cleaned_data["relationship"],
                identity=form.identity(),
            )
        except ValidationError as exc:
            add_validation_errors(form, _unprefixed(exc, "member-"))
        else:
            return _done(request, household, "Personne ajoutée au ménage.")
    return render(
        request,
        "households/member_add.html",
        {"household": household, "form": form},
        status=400 if form.errors else 200,
    )


def _unprefixed(exc: ValidationError, prefix: str) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({key.removeprefix(prefix): value for key, value in exc.error_dict.items()})


@actor_required(can_edit_household)
def member_remove(request, public_id, person_id):
    household = get_household_for(request.actor, public_id)
    member = get_member_for(household, person_id)
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.remove_member(actor=request.actor, household=household, person=member.person, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _done(request, household, "Départ du ménage enregistré.")
    return render(
        request,
        "households/member_remove.html",
        {"household": household, "member": member, "form": form},
        status=400 if form.errors else 200,
    )


@actor_required(can_edit_household)
def member_move(request, public_id, person_id):
    household = get_household_for(request.actor, public_id)
    member = get_member_for(household, person_id)
    form = MemberMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = (
            Household.objects.visible_to(request.actor).filter(public_id=form.cleaned_data["to_household"]).first()
        )
        if target is None:
            form.add_error("to_household", "Aucun dossier de votre périmètre ne porte ce numéro.")
        else:
            try:
                actions.move_person(
                    actor=request.actor,
                    person=member.person,
                    to_household=target,
                    relationship=form.cleaned_data["relationship"],
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"{member.person} a rejoint ce ménage.")
                return redirect(f"{household_url(target)}#membres")
    return render(
        request,
        "households/member_move.html",
        {"household": household, "member": member, "form": form},
        status=400 if form.errors else 200,
    )


@actor_required(can_edit_household)
@require_POST
def member_set_head(request, public_id, person_id):
    household = get_household_for(request.actor, public_id)
    member = get_member_for(household, person_id)
    try:
        actions.set_head(actor=request.actor, household=household, person=member.person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{household_url(household)}#membres")
    return _done(request, household, f"{member.person} est désormais la personne de référence du ménage.")
