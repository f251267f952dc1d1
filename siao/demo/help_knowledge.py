"""Demo content of the help centre: four topics, short help articles about using the SI SIAO,
three release notes and three upcoming sessions whose registration links point to an obviously
fake domain. Idempotent: articles and topics by slug, sessions by title."""

import datetime

from django.db import transaction
from django.utils import timezone

from siao.accounts.models import User
from siao.knowledge.enums import ArticleKind, ArticleStatus, SessionKind, SessionLevel
from siao.knowledge.models import Article, DemoSession, Topic

REGISTRATION_DOMAIN = "https://inscriptions.si-siao.example"

TOPICS = [
    # (slug, name, description, position)
    (
        "compte-et-connexion",
        "Mon compte et la connexion",
        "Se connecter, changer de profil, gérer ses habilitations.",
        1,
    ),
    ("offre-et-places", "L'offre et les places", "Déclarer les places disponibles, tenir l'offre à jour.", 2),
    ("demandes-et-orientations", "Demandes et orientations", "Créer une demande, orienter, suivre un parcours.", 3),
    ("urgence-115", "Urgence et 115", "Le travail des écoutants 115 et des maraudes.", 4),
]

# (slug, topic slug, title, summary, for newcomers, body)
ARTICLES = [
    (
        "se-connecter-avec-proconnect",
        "compte-et-connexion",
        "Se connecter avec ProConnect",
        "ProConnect est la façon recommandée de se connecter au SI SIAO avec son compte professionnel.",
        True,
        """Le SI SIAO accepte deux façons de se connecter : **ProConnect** (recommandé) et un **code reçu par e-mail**.

## Avec ProConnect

1. Sur la page de connexion, choisissez « S'identifier avec ProConnect ».
2. Saisissez votre adresse e-mail professionnelle.
3. Authentifiez-vous auprès de votre fournisseur d'identité (celui de votre administration ou de votre structure).

Vous revenez ensuite sur le SI SIAO, connecté avec votre profil actif.

## Avec un code par e-mail

Saisissez votre adresse professionnelle : un code à six chiffres vous est envoyé. Il est valable quelques minutes.

> Les adresses de messagerie personnelle ne sont pas acceptées.""",
    ),
    (
        "changer-de-profil-actif",
        "compte-et-connexion",
        "Changer de profil actif",
        "Vous avez plusieurs habilitations ? Choisissez avec quel profil vous travaillez.",
        True,
        """Si vous avez plusieurs habilitations (par exemple *Opérateur SIAO* dans un département et *Travailleur social* dans une structure), vous travaillez toujours avec **un seul profil actif**.

- Ouvrez le menu de votre compte, en haut à droite.
- Choisissez le profil voulu dans la liste.

Ce que vous voyez (dossiers, places, statistiques) dépend du profil actif et de son périmètre. Le changement de profil est inscrit au journal.""",
    ),
    (
        "demander-une-habilitation",
        "compte-et-connexion",
        "Demander une habilitation",
        "Qui accorde les habilitations et comment en obtenir une.",
        True,
        """Une habilitation donne un profil dans une organisation (SIAO, DDETS, entité gestionnaire).

## Qui l'accorde ?

| Vous êtes… | Adressez-vous à… |
|---|---|
| salarié d'une entité gestionnaire | le gestionnaire d'entité |
| agent d'un SIAO | l'administrateur SIAO |
| agent de l'État | l'administrateur départemental |

Les habilitations sont revues régulièrement : sans confirmation, elles expirent.""",
    ),
    (
        "declarer-les-places-disponibles",
        "offre-et-places",
        "Déclarer les places disponibles",
        "Mettre à jour l'état des places de vos dispositifs pour que le SIAO puisse orienter.",
        True,
        """Le SIAO ne peut orienter que vers des places **déclarées disponibles**.

1. Ouvrez « Mes dispositifs », puis le dispositif concerné.
2. Dans le groupe de places, changez l'état de la place : *disponible*, *occupée*, *indisponible* (avec un motif).
3. Le tableau des places disponibles du SIAO est mis à jour immédiatement.

Pensez à déclarer une place libérée **le jour même** : chaque nuit compte.""",
    ),
    (
        "mettre-a-jour-un-dispositif",
        "offre-et-places",
        "Mettre à jour la fiche d'un dispositif",
        "Coordonnées, publics accueillis, capacité : garder la fiche du dispositif exacte.",
        False,
        """La fiche d'un dispositif décrit ce que le SIAO doit savoir pour orienter : publics accueillis, capacité, coordonnées.

Une modification de la capacité passe par le groupe de places ; les autres champs se modifient depuis la fiche. Certaines modifications sont revalidées par la DDETS.""",
    ),
    (
        "orienter-une-demande",
        "demandes-et-orientations",
        "Orienter une demande vers un dispositif",
        "Du diagnostic à l'orientation : les étapes pour proposer une place à un ménage.",
        False,
        """Une fois la demande d'insertion complète et évaluée :

1. Le SIAO formule une **préconisation** (type de dispositif adapté).
2. Il choisit un dispositif ayant une place compatible et envoie l'**orientation**.
3. Le dispositif répond : admission, refus motivé ou mise en attente.

Le ménage et le travailleur social référent sont informés de chaque étape.""",
    ),
    (
        "creer-une-demande-insertion",
        "demandes-et-orientations",
        "Créer une demande d'insertion",
        "Ce qu'il faut préparer avant de saisir une demande pour un ménage.",
        True,
        """Avant de créer la demande, vérifiez si le ménage a déjà un dossier (recherche tolérante aux fautes de frappe).

Préparez :

- la composition du ménage ;
- la situation résidentielle actuelle ;
- l'évaluation sociale.

La demande est transmise au SIAO du département quand vous la soumettez.""",
    ),
    (
        "enregistrer-un-appel-115",
        "urgence-115",
        "Enregistrer un appel au 115",
        "Saisir un appel, rechercher une place pour la nuit et noter la réponse apportée.",
        False,
        """L'écoutant enregistre chaque appel, même sans demande d'hébergement.

Pour une demande de mise à l'abri : recherchez les places disponibles pour la nuit, réservez-en une, puis notez la réponse apportée à la personne (*hébergée*, *sans solution* avec le motif).""",
    ),
    (
        "signaler-une-rencontre-de-maraude",
        "urgence-115",
        "Signaler une rencontre de maraude",
        "Depuis votre téléphone, enregistrer une rencontre et la signaler au 115.",
        False,
        """Depuis un téléphone, la page « Maraude » permet d'enregistrer une rencontre en quelques champs : lieu, nombre de personnes, besoins constatés.

Un signalement au 115 est transmis immédiatement aux écoutants du département.""",
    ),
    (
        "ouvrir-une-demande-de-support",
        "compte-et-connexion",
        "Obtenir de l'aide du support",
        "Quand et comment contacter l'équipe de support du SI SIAO.",
        False,
        """Vous ne trouvez pas la réponse dans le centre d'aide ? Ouvrez une **demande de support** depuis la page « Aide et support » : vous recevez une référence et une réponse par e-mail.

Décrivez précisément ce que vous faisiez, ce que vous attendiez et ce qui s'est passé. Ne joignez **jamais** d'informations sur les personnes accompagnées.""",
    ),
]

# (slug, version, days ago, title, summary, body)
RELEASE_NOTES = [
    (
        "version-2-4",
        "2.4",
        5,
        "Centre d'aide et demandes de support",
        "Un centre d'aide consultable sans connexion, et les demandes de support suivies en ligne.",
        """## Nouveautés

- Le **centre d'aide** : articles par thème, recherche, calendrier des démonstrations.
- Les **demandes de support** en ligne, avec une référence et un suivi par e-mail.
- Une **enquête de satisfaction** courte, une fois par campagne.""",
    ),
    (
        "version-2-3",
        "2.3",
        40,
        "Interconnexion avec les systèmes des gestionnaires",
        "Les entités gestionnaires peuvent raccorder leur logiciel au SI SIAO.",
        """## Nouveautés

- Une **API** pour les systèmes des entités gestionnaires (places, orientations).
- Des notifications (webhooks) à chaque orientation.""",
    ),
    (
        "version-2-2",
        "2.2",
        90,
        "Conservation des données et statistiques",
        "Archivage légal, purge automatique et tableaux de bord statistiques.",
        """## Nouveautés

- Les dossiers inactifs sont archivés puis purgés selon les durées légales.
- Des **statistiques** mensuelles par département, sous secret statistique.""",
    ),
]

# (slug for the registration link, title, kind, level, days ahead, hour, duration, audience, description)
SESSIONS = [
    (
        "decouverte",
        "Découvrir le SI SIAO",
        SessionKind.DEMO,
        SessionLevel.BEGINNER,
        7,
        10,
        60,
        "Tous les profils, nouveaux utilisateurs",
        "Une visite guidée en ligne : connexion, profils, pages principales.",
    ),
    (
        "atelier-places",
        "Atelier : tenir ses places à jour",
        SessionKind.WORKSHOP,
        SessionLevel.INTERMEDIATE,
        21,
        14,
        90,
        "Gestionnaires d'entité, responsables de dispositif",
        "Déclarer les places disponibles, les indisponibilités et leurs motifs.",
    ),
    (
        "atelier-statistiques",
        "Atelier : exploiter les statistiques",
        SessionKind.WORKSHOP,
        SessionLevel.ADVANCED,
        45,
        10,
        120,
        "Administrateurs départementaux, analystes",
        "Lire les tableaux de bord, exporter, comprendre le secret statistique.",
    ),
]


@transaction.atomic
def seed(domain: str) -> int:
    """Create the help centre's demo content once; returns the number of objects created."""
    created = 0
    author = User.objects.filter(email=f"admin.national@{domain}").first()
    now = timezone.now()
    topics = {}
    for slug, name, description, position in TOPICS:
        topics[slug], new = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        created += new
    for slug, topic_slug, title, summary, newcomers, body in ARTICLES:
        _, new = Article.objects.get_or_create(
            slug=slug,
            defaults={
                "topic": topics[topic_slug],
                "title": title,
                "summary": summary,
                "body": body,
                "for_newcomers": newcomers,
                "status": ArticleStatus.PUBLISHED,
                "published_at": now,
                "author": author,
            },
        )
        created += new
    for slug, version, days_ago, title, summary, body in RELEASE_NOTES:
        released = now - datetime.timedelta(days=days_ago)
        _, new = Article.objects.get_or_create(
            slug=slug,
            defaults={
                "kind": ArticleKind.RELEASE_NOTE,
                "title": title,
                "summary": summary,
                "body": body,
                "version_label": version,
                "release_date": timezone.localdate(released),
                "status": ArticleStatus.PUBLISHED,
                "published_at": released,
                "author": author,
            },
        )
        created += new
    for link, title, kind, level, days_ahead, hour, duration, audience, description in SESSIONS:
        day = timezone.localtime(now) + datetime.timedelta(days=days_ahead)
        _, new = DemoSession.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind,
                "level": level,
                "starts_at": day.replace(hour=hour, minute=0, second=0, microsecond=0),
                "duration_minutes": duration,
                "audience": audience,
                "registration_url": f"{REGISTRATION_DOMAIN}/{link}",
                "description": description,
            },
        )
        created += new
    return created
