"""Demo satisfaction survey: an open campaign « Enquête de satisfaction <mois année> » with about
forty generated answers (its results page shows their number only, until it is closed), and a
closed campaign of six months before whose answers are spread over profiles and départements,
so that its results page shows every chart, group and comment. The demo national
administrator has not answered: the banner shows when they log in. Idempotent: nothing is done
when the current campaign exists. Generated answers have no participation: no demo account
answered them."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from siao.accounts.enums import Role
from siao.geo.models import Department
from siao.statistics.months import month_label
from siao.surveys import actions
from siao.surveys.enums import Agreement, SurveyStatus, Territory
from siao.surveys.models import SatisfactionAnswer, SatisfactionSurvey

from .households import _actor

ANSWERS = 42
PREVIOUS_ANSWERS = 36  # the closed campaign: enough for the demo's département 35 to be shown
# (role, weight): the field roles answer most.
ROLES = [
    (Role.SOCIAL_WORKER, 10),
    (Role.CALL_HANDLER, 8),
    (Role.SIAO_OPERATOR, 7),
    (Role.PROGRAM_MANAGER, 6),
    (Role.OPERATOR_MANAGER, 4),
    (Role.SIAO_ADMIN, 3),
    (Role.DEPARTMENT_ADMIN, 2),
    (Role.ANALYST, 1),
    (Role.NATIONAL_ADMIN, 1),
]
# Département codes (the demo's 35 first), "national" or None (several départements).
TERRITORIES = [("35", 14), ("56", 8), ("29", 6), ("44", 6), ("75", 3), ("national", 2), (None, 3)]
COMMENTS = [
    "La recherche de places disponibles me fait gagner beaucoup de temps.",
    "Il faudrait pouvoir imprimer l'évaluation sociale plus facilement.",
    "Merci pour les ateliers de prise en main, très utiles.",
    "Le changement de profil n'est pas toujours clair.",
    "Plus rapide que l'ancien outil, mais certains libellés sont longs.",
    "J'aimerais recevoir une alerte quand une orientation arrive.",
]


def _title(when) -> str:
    label = month_label(when)
    return f"Enquête de satisfaction {label[0].upper()}{label[1:]}"


def _answers(campaign, count: int, rng: random.Random, departments: dict) -> None:
    roles, role_weights = zip(*ROLES, strict=True)
    places, place_weights = zip(*TERRITORIES, strict=True)
    agreements = list(Agreement.values)
    answers = []
    for n in range(count):
        role = rng.choices(roles, role_weights)[0]
        place = "national" if role == Role.NATIONAL_ADMIN else rng.choices(places, place_weights)[0]
        if place == "national":
            territory, department = Territory.NATIONAL, None
        elif place is None:
            territory, department = Territory.SEVERAL, None
        else:
            territory, department = Territory.DEPARTMENT, departments[place]
        score = rng.choices([1, 2, 3, 4, 5], [1, 2, 5, 9, 6])[0]
        lean = 0 if score >= 4 else 2  # satisfied respondents agree more
        answers.append(
            SatisfactionAnswer(
                campaign=campaign,
                score=score,
                makes_work_easier=agreements[min(3, lean + rng.choice([0, 0, 1, 2]))],
                finds_information=agreements[min(3, lean + rng.choice([0, 1, 1, 2]))],
                knows_where_to_get_help=agreements[min(3, rng.choice([0, 1, 2, 3]))],
                comment=COMMENTS[n % len(COMMENTS)] if n % 5 == 0 else "",
                role=role,
                territory=territory,
                department=department,
            )
        )
    SatisfactionAnswer.objects.bulk_create(answers)


@transaction.atomic
def seed(domain: str) -> SatisfactionSurvey | None:
    today = timezone.localdate()
    title = _title(today)
    existing = SatisfactionSurvey.objects.filter(title=title).first()
    if existing is not None:
        return existing
    admin = _actor(f"admin.national@{domain}", Role.NATIONAL_ADMIN)
    departments = {d.code: d for d in Department.objects.filter(code__in=[c for c, _ in TERRITORIES if c])}
    rng = random.Random(8)  # noqa: S311 (demo data, not security)

    earlier = _title(today.replace(day=1) - datetime.timedelta(days=170))
    if not SatisfactionSurvey.objects.filter(title=earlier).exists():
        previous = actions.create_campaign(actor=admin, title=earlier, intro="")
        _answers(previous, PREVIOUS_ANSWERS, rng, departments)
        previous.status, previous.opened_at = SurveyStatus.CLOSED, timezone.now() - datetime.timedelta(days=170)
        previous.closed_at = previous.opened_at + datetime.timedelta(days=30)
        previous.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])

    campaign = actions.create_campaign(
        actor=admin,
        title=title,
        intro="Aidez-nous à améliorer le SI SIAO : quatre questions, une trentaine de secondes. Vos réponses "
        "sont anonymes et ne sont publiées que regroupées.",
    )
    if not SatisfactionSurvey.objects.open().exists():
        campaign = actions.open_campaign(actor=admin, campaign=campaign)
    _answers(campaign, ANSWERS, rng, departments)
    return campaign
