"""What the person's export holds, section by section, with the French titles and labels the
printable page shows and the JSON file carries (under "labels")."""

from siao.households.actions import EDITABLE_PERSON_FIELDS
from siao.households.models import Person

PERSON_FIELDS = ("public_id", *EDITABLE_PERSON_FIELDS, "created_at", "updated_at")

# Section key -> (French title, {key: French label}): the HTML shows them, the JSON carries
# them under "labels" so that a reader of the file knows what each key means.
SECTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "person": (
        "Identité et situation",
        {
            name: str(Person._meta.get_field(name).verbose_name).capitalize()
            for name in PERSON_FIELDS
            if name != "public_id"
        }
        | {"public_id": "Identifiant de la personne"},
    ),
    "residential_situations": (
        "Situations résidentielles",
        {"situation": "Situation", "since": "Depuis le", "recorded_at": "Saisie le"},
    ),
    "file": (
        "Le dossier du ménage",
        {
            "file_number": "Numéro de dossier",
            "department": "Département du dossier (SIAO qui le tient)",
            "composition": "Composition familiale",
            "specific_publics": "Publics spécifiques",
            "member_count": "Nombre de personnes",
            "children_count": "Dont enfants",
            "created_at": "Dossier créé le",
            "last_action_at": "Dernière action le",
            "relationship": "Lien avec la personne de référence",
            "joined_on": "Arrivée dans le ménage",
            "left_on": "Départ du ménage",
            "left_reason": "Motif du départ",
        },
    ),
    "requests": (
        "Demandes d'insertion",
        {
            "created_at": "Créée le",
            "kind": "Type",
            "status": "Statut",
            "siao_department": "SIAO destinataire (département)",
            "origin_program": "Service instructeur",
            "reason": "Motif de la demande",
            "housing_situation": "Situation résidentielle",
            "comment": "Éléments de la demande",
            "recommendations": "Préconisations",
            "priority": "Priorité",
            "is_pseudo": "Admission directe",
            "transmitted_at": "Transmise le",
            "seniority_from": "Ancienneté depuis le",
            "sent_back_reason": "Motif du renvoi pour mise à jour",
            "cancel_reason": "Motif d'annulation",
            "cancel_comment": "Précisions sur l'annulation",
            "status_history": "Historique des statuts",
            "changed_at": "Date",
            "from_status": "Statut précédent",
            "to_status": "Nouveau statut",
            "note": "Commentaire",
        },
    ),
    "referrals": (
        "Orientations et décisions",
        {
            "proposed_at": "Orientée le",
            "program": "Dispositif",
            "status": "Statut",
            "comment": "Commentaire du SIAO",
            "decided_at": "Décidée le",
            "program_refusal_reason": "Motif du refus du dispositif",
            "household_refusal_reason": "Motif du refus du ménage",
            "household_refusal_justified": "Refus justifié",
            "decision_comment": "Commentaire de la décision",
        },
    ),
    "stays": (
        "Prises en charge",
        {
            "program": "Dispositif",
            "started_on": "Admission",
            "ended_on": "Sortie",
            "exit_reason": "Motif de sortie",
            "exit_destination": "Situation à la sortie",
            "exit_comment": "Précisions sur la sortie",
        },
    ),
    "assessments": (
        "Évaluations sociales",
        {
            "assessment": "Évaluation",
            "started_at": "Commencée le",
            "organization": "Organisation",
            "section": "Rubrique",
            "version": "Version",
            "updated_at": "Mise à jour le",
            "content": "Contenu",
            "text": "Observations",
            "versions": "Versions précédentes et actuelle",
            "changed_at": "Date",
            "profile": "Profil",
            "changed_fields": "Champs modifiés",
            "question": "Question",
            "answer": "Réponse",
        },
    ),
    "notes": (
        "Transmissions (notes entre professionnels)",
        {"created_at": "Date", "profile": "Profil", "organization": "Organisation", "text": "Transmission"},
    ),
    "contacts": (
        "Contacts avec le ménage",
        {"occurred_on": "Date", "channel": "Type de contact", "profile": "Profil", "organization": "Organisation"},
    ),
    "accompaniments": (
        "Accompagnements",
        {"program": "Dispositif ou service", "started_on": "Début", "ended_on": "Fin"},
    ),
    "emergency_calls": (
        "Appels au 115",
        {
            "received_at": "Reçu le",
            "caller_type": "Appelant",
            "caller_detail": "Précision sur l'appelant",
            "comment": "Notes de l'appel",
        },
    ),
    "emergency_requests": (
        "Demandes d'urgence (115)",
        {
            "night_of": "Nuit du",
            "status": "Statut",
            "sleeping_place": "Où dormir ce soir-là",
            "housing_situation": "Situation résidentielle",
            "reason": "Motif de la demande",
            "health_urgency": "Urgence de santé",
            "violence": "Violences subies",
            "reduced_mobility": "Mobilité réduite",
            "with_animal": "Accompagné(e) d'un animal",
            "comment": "Éléments de la demande",
            "program": "Dispositif d'orientation",
            "oriented_at": "Orientée le",
            "unmet_reason": "Motif de non-attribution",
            "outcome_comment": "Précisions",
            "last_night": "Dernière nuit accordée",
        },
    ),
    "nights": ("Nuitées", {"night": "Nuit du", "program": "Dispositif"}),
    "outreach_encounters": (
        "Rencontres de maraude",
        {
            "occurred_at": "Date",
            "program": "Équipe de maraude",
            "location": "Lieu",
            "persons_count": "Nombre de personnes rencontrées",
            "description": "Description",
            "needs": "Besoins",
            "provisions": "Prestations délivrées",
            "comment": "Observations",
        },
    ),
    "rights_requests": (
        "Demandes d'exercice des droits",
        {
            "kind": "Droit exercé",
            "concerns": "Concerne",
            "received_on": "Reçue le",
            "due_on": "Réponse due le",
            "channel": "Reçue par",
            "by_representative": "Par un représentant",
            "representative": "Représentant",
            "details": "Objet de la demande",
            "status": "Statut",
            "answered_on": "Répondue le",
            "answer": "Réponse",
            "export_count": "Exports remis",
            "last_exported_at": "Dernier export le",
        },
    ),
    "consultations": (
        "Qui a consulté le dossier",
        {"at": "Date", "organization": "Organisation", "profile": "Profil", "page": "Page consultée"},
    ),
    "modifications": (
        "Modifications du dossier",
        {"at": "Date", "organization": "Organisation", "profile": "Profil", "action": "Action"},
    ),
}
HOUSEHOLD_SECTIONS = (
    "requests",
    "referrals",
    "stays",
    "assessments",
    "notes",
    "contacts",
    "accompaniments",
    "emergency_calls",
    "emergency_requests",
    "nights",
    "outreach_encounters",
    "rights_requests",
    "consultations",
    "modifications",
)

ABOUT = (
    "Ce document rassemble les informations que le SI SIAO (système d'information des services intégrés "
    "d'accueil et d'orientation) détient sur vous, en réponse à votre demande d'accès (RGPD, article 15). "
    "Le responsable du traitement est la Dihal (délégation interministérielle à l'hébergement et à l'accès "
    "au logement). Les professionnels sont désignés par leur organisation et leur profil. Les consultations "
    "et modifications viennent du journal des accès, conservé un an : les plus anciennes n'y figurent plus. "
    "Pour faire corriger une information, adressez-vous au professionnel qui vous accompagne ou au SIAO."
)
