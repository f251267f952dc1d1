"""The only way views obtain one offer object: absent and out of perimeter both answer 404."""

from django.http import Http404

from .models import Place, PlaceGroup, Program, ProgramDraft


def get_program_for(actor, public_id) -> Program:
    program = (
        Program.objects.visible_to(actor)
        .filter(public_id=public_id)
        .select_related("operator", "department", "commune", "submitted_by")
        .first()
    )
    if program is None:
        raise Http404("Dispositif introuvable.")
    return program


def get_place_group_for(actor, public_id) -> PlaceGroup:
    group = PlaceGroup.objects.visible_to(actor).filter(public_id=public_id).select_related("program").first()
    if group is None:
        raise Http404("Groupe de places introuvable.")
    return group


def get_place_for(actor, public_id) -> Place:
    place = Place.objects.visible_to(actor).filter(public_id=public_id).select_related("place_group__program").first()
    if place is None:
        raise Http404("Place introuvable.")
    return place


def get_draft_for(actor, public_id) -> ProgramDraft:
    draft = ProgramDraft.objects.filter(public_id=public_id, author=actor.user, membership=actor.membership).first()
    if draft is None:
        raise Http404("Brouillon introuvable.")
    return draft


def get_operator_for(actor, public_id):
    from siao.accounts.models import Organization

    from .permissions import operators_visible_q

    condition = operators_visible_q(actor)
    operator = None
    if condition is not None:
        operator = Organization.objects.filter(condition, public_id=public_id).first()
    if operator is None:
        raise Http404("Entité gestionnaire introuvable.")
    return operator
