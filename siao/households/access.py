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
