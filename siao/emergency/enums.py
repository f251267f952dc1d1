"""The 115 and veille sociale referentials (DOMAIN.md "Emergency (115)"). Ours where the live
SI SIAO's lists are not public; the request's reason and housing situation use the SI SIAO's
codes (siao/households/enums.py)."""

from django.db import models

from siao.offer.enums import PlaceType


class CallerType(models.TextChoices):
    PERSON = "person", "La personne elle-même"
    THIRD_PARTY = "third_party", "Un tiers (particulier)"
    OUTREACH = "outreach", "Une maraude"
    SERVICE = "service", "Un service (hôpital, police, association…)"


class SleepingPlace(models.TextChoices):
    """Where the person will sleep tonight if the 115 finds nothing."""

    STREET = "street", "À la rue"
    VEHICLE = "vehicle", "Dans un véhicule"
    SQUAT = "squat", "Squat, campement"
    MAKESHIFT = "makeshift", "Gare, hall, abri de fortune"
    THIRD_PARTY = "third_party", "Chez un tiers, pour cette nuit"
    HOSPITAL = "hospital", "Hôpital, urgences"
    UNKNOWN = "unknown", "Ne sait pas"


class EmergencyStatus(models.TextChoices):
    PENDING = "pending", "En attente de solution"
    ORIENTED = "oriented", "Orientée (place réservée)"
    SHELTERED = "sheltered", "Mise à l'abri"
    UNMET = "unmet", "Non pourvue"
    NO_SHOW = "no_show", "Ne s'est pas présenté(e)"
    NO_CALLBACK = "no_callback", "N'a pas rappelé le 115"
    CLOSED = "closed", "Terminée"


EMERGENCY_TRANSITIONS: dict[str, frozenset[str]] = {
    EmergencyStatus.PENDING: frozenset({EmergencyStatus.ORIENTED, EmergencyStatus.UNMET, EmergencyStatus.NO_CALLBACK}),
    # Oriented: the person comes (sheltered), does not come, refuses the place (unmet), or the
    # handler releases the place to look for another (pending).
    EmergencyStatus.ORIENTED: frozenset(
        {EmergencyStatus.SHELTERED, EmergencyStatus.NO_SHOW, EmergencyStatus.UNMET, EmergencyStatus.PENDING}
    ),
    EmergencyStatus.SHELTERED: frozenset({EmergencyStatus.CLOSED}),
    EmergencyStatus.UNMET: frozenset(),
    EmergencyStatus.NO_SHOW: frozenset(),
    EmergencyStatus.NO_CALLBACK: frozenset(),
    EmergencyStatus.CLOSED: frozenset(),
}
OPEN_EMERGENCY_STATUSES = (EmergencyStatus.PENDING, EmergencyStatus.ORIENTED)
# Requests that led to an orientation (counted as such in the daily figures).
ORIENTED_STATUSES = (
    EmergencyStatus.ORIENTED,
    EmergencyStatus.SHELTERED,
    EmergencyStatus.CLOSED,
    EmergencyStatus.NO_SHOW,
)


class UnmetReason(models.TextChoices):
    """Why a request is non pourvue (DNP)."""

    NO_PLACE = "no_place", "Aucune place disponible"
    NO_FITTING_PLACE = "no_fitting_place", "Aucune place adaptée au ménage (composition, public)"
    REFUSED_BY_PERSON = "refused_by_person", "Refus de la personne"
    HUNG_UP = "hung_up", "La personne a raccroché"
    OTHER = "other", "Autre motif (à préciser)"


class EncounterNeed(models.TextChoices):
    SHELTER = "shelter", "Mise à l'abri"
    FOOD = "food", "Alimentation"
    HEALTH = "health", "Soins"
    HYGIENE = "hygiene", "Hygiène"
    CLOTHING = "clothing", "Vêtements, couverture"
    SOCIAL = "social", "Accès aux droits, accompagnement social"
    LISTENING = "listening", "Écoute, lien social"


class Provision(models.TextChoices):
    """What the team gave during the encounter."""

    HOT_DRINK = "hot_drink", "Boisson chaude"
    MEAL = "meal", "Repas, collation"
    BLANKET = "blanket", "Couverture, duvet"
    CLOTHES = "clothes", "Vêtements"
    HYGIENE_KIT = "hygiene_kit", "Kit d'hygiène"
    FIRST_AID = "first_aid", "Premiers soins"
    INFORMATION = "information", "Information, orientation"


class SignalStatus(models.TextChoices):
    NEW = "new", "Nouveau"
    TAKEN = "taken", "Pris en charge par le 115"
    CLOSED = "closed", "Clos"


# The place types the 115 orients to for the night (ours): emergency shelter, hotel, winter and
# extreme-cold places, night shelters, FVV places and stabilization. Insertion places, housing,
# asylum and medical beds (LHSS) go through their own orientation channels.
EMERGENCY_PLACE_TYPES = (
    PlaceType.EMERGENCY,
    PlaceType.HOTEL,
    PlaceType.WINTER,
    PlaceType.EXTREME_COLD,
    PlaceType.NIGHT_SHELTER,
    PlaceType.VIOLENCE_VICTIMS,
    PlaceType.STABILIZATION,
)
