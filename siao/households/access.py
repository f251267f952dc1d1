"""The only way views obtain one household object: absent and out of perimeter both answer 404."""

from django.http import Http404

from .models import Household, Person


def get_household_for(actor, public_id) -> Household:
    household = (
        Household.objects.visible_to(actor)
        .filter(public_id=public_id)
        .select_related("department", "composition", "head")
        .first()
    )
    if household is None:
        raise Http404("Dossier introuvable.")
    return household


def get_person_for(actor, public_id) -> Person:
    person = Person.objects.visible_to(actor).filter(public_id=public_id).first()
    if person is None:
        raise Http404("Personne introuvable.")
    return person


def get_assessment_for(household: Household, public_id):
    """An assessment of a household already obtained through `get_household_for`."""
    assessment = household.assessments.filter(public_id=public_id).select_related("author_organization").first()
    if assessment is None:
        raise Http404("Évaluation introuvable.")
    assessment.household = household
    return assessment


def get_member_for(household: Household, person_public_id, *, current=True):
    """A person's membership of a household already obtained through `get_household_for`
    (the current one by default)."""
    members = household.members.filter(person__public_id=person_public_id).select_related("person")
    if current:
        members = members.filter(left_on__isnull=True)
    member = members.order_by("-pk").first()
    if member is None:
        raise Http404("Personne introuvable dans ce ménage.")
    member.household = household
    return member
