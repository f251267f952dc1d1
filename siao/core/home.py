"""What each role can do, said on its home page, with links to what exists today. When an
issue adds a capability, it adds its link here."""

from dataclasses import dataclass
from importlib import import_module

from django.urls import reverse

from siao.accounts.enums import Role
from siao.accounts.permissions import can_manage_memberships
from siao.audit.permissions import can_read_audit_trail

ROLE_MISSIONS: dict[str, list[str]] = {
    Role.NATIONAL_ADMIN: [
        "Administrer le SI SIAO et superviser ses utilisateurs.",
        "Accorder et revoir les habilitations de tous les profils.",
        "Piloter l'activité à partir des données nationales.",
    ],
    Role.DEPARTMENT_ADMIN: [
        "Créer et valider les entités gestionnaires et les dispositifs de votre département.",
        "Habiliter les administrateurs SIAO et les agents de votre service.",
        "Piloter l'offre et l'activité de votre département.",
    ],
    Role.ANALYST: ["Consulter les données anonymisées et agrégées de votre périmètre (lecture seule)."],
    Role.SIAO_ADMIN: [
        "Administrer et piloter votre SIAO, accompagner ses utilisateurs.",
        "Pré-valider les entités et dispositifs de votre territoire.",
        "Habiliter les opérateurs SIAO, écoutants 115 et gestionnaires d'entité.",
    ],
    Role.SIAO_OPERATOR: [
        "Vérifier la complétude des dossiers associés aux demandes.",
        "Orienter les demandes vers les dispositifs adaptés.",
    ],
    Role.CALL_HANDLER: [
        "Recueillir les informations sur la vulnérabilité et la précarité des ménages qui appellent le 115.",
        "Créer des demandes d'urgence et orienter le ménage vers un dispositif.",
    ],
    Role.OPERATOR_MANAGER: [
        "Gérer les équipes et le reporting de votre entité, dans un ou plusieurs départements.",
        "Superviser vos dispositifs et créer leurs groupes de places.",
        "Habiliter les agents de votre entité.",
    ],
    Role.ASSISTANT: [
        "Assister le gestionnaire d'entité sur le parc de logements et la gestion des utilisateurs.",
    ],
    Role.PROGRAM_MANAGER: [
        "Rencontrer les ménages pour valider leur orientation.",
        "Gérer l'équipe et le reporting de votre dispositif.",
        "Créer des pseudo-demandes et des admissions directes.",
    ],
    Role.SOCIAL_WORKER: [
        "Accompagner les ménages, identifier leurs besoins et rédiger l'évaluation sociale approfondie.",
    ],
}


@dataclass(frozen=True)
class Tile:
    title: str
    description: str
    url: str
    nav_title: str = ""


OFFER_TILES = [
    # (feature of siao.offer.permissions.ROLES_ALLOWED, title, nav title, description, URL name)
    (
        "view_vacancy_board",
        "Places disponibles",
        "Places disponibles",
        "Les places libres de votre territoire, en direct, avec le contact du dispositif.",
        "offer:vacancy_board",
    ),
    (
        "view_programs",
        "Dispositifs",
        "Dispositifs",
        "L'offre de votre périmètre : dispositifs, financements, groupes de places et places.",
        "offer:program_list",
    ),
    (
        "create_program",
        "Créer un dispositif",
        "",
        "L'assistant en six étapes : entité, nature, financement, identification, compléments, soumission.",
        "offer:wizard_start",
    ),
    (
        "review_programs",
        "Dispositifs à valider",
        "Validations",
        "Les créations de dispositifs qui attendent votre pré-validation ou votre validation.",
        "offer:validation_queue",
    ),
    (
        "handle_creation_requests",
        "Demandes de création",
        "Demandes",
        "Les demandes reçues par le formulaire public, sans compte.",
        "offer:request_list",
    ),
    (
        "view_capacity_dashboard",
        "Capacités",
        "Capacités",
        "Capacité financée, créée et occupée, par dispositif, entité, département et au national.",
        "offer:capacity_dashboard",
    ),
]


# (feature of siao.households.permissions.ROLES_ALLOWED, title, nav title, description, URL
# name). The menu entry only for the roles that work on files every day (the Administrateur
# SIAO, who supports users, keeps the tile: its menu is full).
HOUSEHOLD_TILES = [
    (
        "view_households",
        "Dossiers des ménages",
        "Ménages",
        "Rechercher un ménage, ouvrir ou créer son dossier unique : personnes, évaluations, transmissions.",
        "households:household_list",
    ),
]


# (feature of siao.orientation.permissions.ROLES_ALLOWED, title, nav title, description, URL
# name). Administrators keep the tile without a menu entry (their menu is full).
ORIENTATION_TILES = [
    (
        "view_siao_queue",
        "File d'attente du SIAO",
        "File du SIAO",
        "Les demandes transmises à votre SIAO, par priorité puis ancienneté : vérifier, renvoyer, orienter.",
        "orientation:queue",
    ),
    (
        "view_program_referrals",
        "Orientations reçues",
        "Orientations",
        "Les ménages que le SIAO oriente vers votre dispositif : le responsable accepte ou refuse, puis admet.",
        "orientation:referral_list",
    ),
    (
        "view_program_referrals",
        "Prises en charge",
        "Prises en charge",
        "Les ménages accueillis dans votre dispositif et l'enregistrement de leur sortie.",
        "orientation:stay_list",
    ),
]


def orientation_tiles(actor) -> list[Tile]:
    from siao.orientation.permissions import ROLES_ALLOWED

    return [
        Tile(title, description, reverse(url_name), "" if actor.is_administrator else nav_title)
        for feature, title, nav_title, description, url_name in ORIENTATION_TILES
        if actor.role in ROLES_ALLOWED[feature]
    ]


# (feature of siao.emergency.permissions.ROLES_ALLOWED, title, nav title, description, URL name).
EMERGENCY_TILES = [
    (
        "view_desk",
        "Plateau 115",
        "115",
        "Prendre un appel, trouver une place pour cette nuit ou enregistrer la demande non pourvue ; "
        "les signalements des maraudes.",
        "emergency:desk",
    ),
    (
        "view_desk",
        "Reconductions",
        "",
        "Les ménages mis à l'abri par le 115 : reconduire leurs nuitées en une action.",
        "emergency:renewal_list",
    ),
    (
        "view_figures",
        "Chiffres du 115",
        "Chiffres 115",
        "Appels, demandes, personnes distinctes, demandes non pourvues et orientations, par jour et par période.",
        "emergency:daily_figures",
    ),
    (
        "view_program_arrivals",
        "Arrivées du 115",
        "Arrivées 115",
        "Les personnes orientées par le 115 vers votre dispositif cette nuit : confirmer leur arrivée.",
        "emergency:arrival_list",
    ),
]


def emergency_tiles(actor) -> list[Tile]:
    from siao.emergency.permissions import ROLES_ALLOWED, can_record_encounter, receives_115

    if can_record_encounter(actor):
        return [
            Tile(
                "Maraude",
                "Enregistrer une rencontre depuis votre téléphone et la signaler au 115.",
                reverse("emergency:encounter_list"),
                "Maraude",
            )
        ]
    return [
        Tile(title, description, reverse(url_name), "" if actor.is_administrator else nav_title)
        for feature, title, nav_title, description, url_name in EMERGENCY_TILES
        if actor.role in ROLES_ALLOWED[feature] and (feature != "view_program_arrivals" or receives_115(actor))
    ]


# Apps that bring their own tiles (a `tiles_for(actor)` function each, cheap: the menu of every
# page calls it; tiles that cost a query go in an optional `home_tiles_for(actor)`, home page only).
DATA_PROTECTION_TILE_MODULES = [
    "siao.statistics.tiles",
    "siao.retention.tiles",
    "siao.audit.report_tiles",
    "siao.partners.tiles",
    "siao.support.tiles",
    "siao.knowledge.tiles",
    "siao.surveys.tiles",
]


def home_tiles_for(actor) -> list[Tile]:
    tiles = tiles_for(actor)
    for module in DATA_PROTECTION_TILE_MODULES:
        extra = getattr(import_module(module), "home_tiles_for", None)
        if extra is not None:
            position = len(tiles) - 1  # before « Mon compte »
            tiles[position:position] = extra(actor)
    return tiles


def tiles_for(actor) -> list[Tile]:
    from siao.households.permissions import ROLES_ALLOWED as HOUSEHOLD_ROLES_ALLOWED
    from siao.offer.permissions import ROLES_ALLOWED

    tiles = [
        Tile(title, description, reverse(url_name), nav_title)
        for feature, title, nav_title, description, url_name in OFFER_TILES
        if actor.role in ROLES_ALLOWED[feature]
    ]
    tiles += [
        Tile(
            title,
            description,
            reverse(url_name),
            nav_title if actor.role in HOUSEHOLD_ROLES_ALLOWED["create_household"] else "",
        )
        for feature, title, nav_title, description, url_name in HOUSEHOLD_TILES
        if actor.role in HOUSEHOLD_ROLES_ALLOWED[feature]
    ]
    tiles += orientation_tiles(actor)
    tiles += emergency_tiles(actor)
    for module in DATA_PROTECTION_TILE_MODULES:
        tiles += import_module(module).tiles_for(actor)
    if can_manage_memberships(actor):
        tiles.append(
            Tile(
                "Habilitations",
                "Accorder un accès, consulter et révoquer les habilitations.",
                reverse("accounts:membership_list"),
            )
        )
        tiles.append(
            Tile(
                "Revue des droits d'accès",
                "Confirmer ou révoquer les habilitations arrivées à échéance de revue.",
                reverse("accounts:membership_review"),
                "",
            )
        )
    if can_read_audit_trail(actor):
        tiles.append(
            Tile(
                "Journal des accès", "Qui a fait quoi, quand, dans votre périmètre.", reverse("audit:trail"), "Journal"
            )
        )
    tiles.append(
        Tile(
            "Mon compte",
            "Vos profils, leurs périmètres et leurs dates de validité.",
            reverse("accounts:my_account"),
            "Mon compte",
        )
    )
    return tiles
