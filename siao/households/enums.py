"""Choices of the household file. Where the live SI SIAO has a national code, the choice *is*
that code (loaded from data/si_siao_codes.json), so that imports and exports speak the real
system's language; the other lists are ours and say so."""

import json
from pathlib import Path

from django.db import models

_CODES = json.loads((Path(__file__).parent / "data" / "si_siao_codes.json").read_text())


def _si_siao_choices(name: str, key: str) -> type[models.IntegerChoices]:
    """An IntegerChoices whose values are the SI SIAO codes of `key` and labels its labels."""
    members = [(f"C{item['si_siao_code']}", (item["si_siao_code"], item["label"])) for item in _CODES[key]]
    return models.IntegerChoices(name, members)


FamilySituation = _si_siao_choices("FamilySituation", "person_situations_si_siao_code")
RequestReason = _si_siao_choices("RequestReason", "request_reasons_si_siao_code")
HousingSituation = _si_siao_choices("HousingSituation", "housing_situations_si_siao_code")
ExitDestination = _si_siao_choices("ExitDestination", "exit_situations_si_siao_code")
ResidenceRight = _si_siao_choices("ResidenceRight", "residence_rights_si_siao_code")
ResourceType = _si_siao_choices("ResourceType", "resource_types_si_siao_code")
ContractType = _si_siao_choices("ContractType", "contract_types_si_siao_code")
SocialSecurity = _si_siao_choices("SocialSecurity", "social_security_si_siao_code")
ChildHosting = _si_siao_choices("ChildHosting", "child_hosting_si_siao_code")
FamilyReunification = _si_siao_choices("FamilyReunification", "family_reunification_si_siao_code")


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"
    UNKNOWN = "U", "Non renseigné"


class Nationality(models.TextChoices):
    """The live SI SIAO's codes (string codes there)."""

    FRENCH = "FRANCAISE", "Française"
    EU = "UE", "Union européenne"
    NON_EU = "HORS_UE", "Hors Union européenne"
    STATELESS = "APATRIDE", "Apatride"
    UNKNOWN = "NR", "Non renseignée"


class Relationship(models.TextChoices):
    """Link of a member to the household's head (ours)."""

    HEAD = "head", "Personne de référence"
    SPOUSE = "spouse", "Conjoint(e)"
    CHILD = "child", "Enfant"
    PARENT = "parent", "Parent"
    SIBLING = "sibling", "Frère ou sœur"
    OTHER_FAMILY = "other_family", "Autre membre de la famille"
    OTHER = "other", "Autre"


class MemberLeftReason(models.TextChoices):
    SEPARATION = "separation", "Séparation"
    NEW_HOUSEHOLD = "new_household", "Rejoint un autre ménage"
    ADULT_CHILD = "adult_child", "Enfant devenu autonome"
    DECEASED = "deceased", "Décès"
    ERROR = "error", "Erreur de saisie"
    OTHER = "other", "Autre"


class AssessmentKind(models.TextChoices):
    SOCIAL = "social", "Évaluation sociale"
    IN_DEPTH = "in_depth", "Évaluation sociale approfondie"


class Section(models.TextChoices):
    """Sections of an assessment; the sensitive ones (seed: health, violence, expulsions,
    penal; plus the administrative situation) are listed in SENSITIVE_SECTIONS."""

    FAMILY = "family", "Situation familiale"
    ADMINISTRATIVE = "administrative", "Situation administrative"
    BUDGET = "budget", "Budget et ressources"
    EMPLOYMENT = "employment", "Emploi et formation"
    HOUSING = "housing", "Parcours résidentiel"
    EXPULSIONS = "expulsions", "Expulsions"
    HEALTH = "health", "Santé"
    VIOLENCE = "violence", "Violences"
    JUSTICE = "justice", "Situation judiciaire"


SENSITIVE_SECTIONS: frozenset[str] = frozenset(
    {Section.ADMINISTRATIVE, Section.EXPULSIONS, Section.HEALTH, Section.VIOLENCE, Section.JUSTICE}
)

# Person fields that belong to a sensitive section: shown and edited only where the actor's
# role may read (write) that section. The other person fields are the file's common part.
PERSON_SENSITIVE_FIELDS: dict[str, str] = {
    "nationality": Section.ADMINISTRATIVE,
    "residence_right": Section.ADMINISTRATIVE,
    "health_follow_up": Section.HEALTH,
    "pregnancy": Section.HEALTH,
    "pregnancy_due_on": Section.HEALTH,
    "reduced_mobility": Section.HEALTH,
    "violence_victim": Section.VIOLENCE,
}


class ContactChannel(models.TextChoices):
    """How a professional was in contact with the household (ours): a contact is an action on
    the file (it moves the retention clock)."""

    INTERVIEW = "interview", "Entretien"
    PHONE = "phone", "Appel téléphonique"
    VISIT = "visit", "Visite"
    OUTREACH = "outreach", "Rencontre de rue (maraude)"
    WRITTEN = "written", "Courrier ou courriel"
    OTHER = "other", "Autre"


class FileEventKind(models.TextChoices):
    """What moves the retention clock (ARCHITECTURE: only real actions, never a read)."""

    CREATED = "created", "Création du dossier"
    UPDATED = "updated", "Mise à jour du dossier"
    CONTACT = "contact", "Contact avec le ménage"
    REQUEST = "request", "Demande créée ou mise à jour"
    NOTE = "note", "Transmission"
    ASSESSMENT = "assessment", "Évaluation"


class RightsRequestKind(models.TextChoices):
    """The rights a person exercises on the data held on them (RGPD articles 15 to 21)."""

    ACCESS = "access", "Droit d'accès"
    RECTIFICATION = "rectification", "Droit de rectification"
    ERASURE = "erasure", "Droit à l'effacement"
    LIMITATION = "limitation", "Droit à la limitation du traitement"
    OPPOSITION = "opposition", "Droit d'opposition"


class RightsRequestChannel(models.TextChoices):
    """How the request reached the SI SIAO (ours)."""

    IN_PERSON = "in_person", "Sur place, auprès d'un professionnel"
    LETTER = "letter", "Courrier"
    EMAIL = "email", "Courriel"
    DPO = "dpo", "Via le délégué à la protection des données"


class RightsRequestStatus(models.TextChoices):
    RECEIVED = "received", "Reçue, à traiter"
    ANSWERED = "answered", "Répondue"
    REFUSED = "refused", "Refusée"
