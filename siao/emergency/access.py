"""The only way views obtain one call, emergency request, encounter or signal: absent and out
of perimeter both answer 404."""

from django.http import Http404

from .models import Call, EmergencyRequest, OutreachEncounter, OutreachSignal


def get_call_for(actor, public_id) -> Call:
    call = (
        Call.objects.visible_to(actor)
        .filter(public_id=public_id)
        .select_related("household", "handler", "signal__encounter__program")
        .first()
    )
    if call is None:
        raise Http404("Appel introuvable.")
    return call


def get_emergency_request_for(actor, public_id) -> EmergencyRequest:
    emergency_request = (
        EmergencyRequest.objects.visible_to(actor)
        .filter(public_id=public_id)
        .select_related("household", "program", "place_group", "call", "stay")
        .first()
    )
    if emergency_request is None:
        raise Http404("Demande d'urgence introuvable.")
    return emergency_request


def get_encounter_for(actor, public_id) -> OutreachEncounter:
    encounter = (
        OutreachEncounter.objects.visible_to(actor)
        .filter(public_id=public_id)
        .select_related("program", "household__head", "signal")
        .first()
    )
    if encounter is None:
        raise Http404("Rencontre introuvable.")
    return encounter


def get_signal_for(actor, public_id) -> OutreachSignal:
    signal = (
        OutreachSignal.objects.visible_to(actor)
        .filter(public_id=public_id)
        .select_related("encounter__program", "encounter__household")
        .first()
    )
    if signal is None:
        raise Http404("Signalement introuvable.")
    return signal
