"""Demo household files: obviously fake persons ("Démo" names), with requests at each step of
the insertion lifecycle so that every demo profile has something to work on. Written through
the orientation actions (so the journey, the audit trail and the places stay consistent)."""

import datetime

from django.utils import timezone

from siao.accounts.actor import Actor
from siao.accounts.models import Membership
from siao.households.models import Accompaniment, Household, HouseholdMember, Person
from siao.offer.enums import PlaceState, ProgramType
from siao.offer.models import Place, Public
from siao.orientation import actions
from siao.orientation.enums import ExitReason, HouseholdRefusalReason, Priority
from siao.orientation.models import Referral, Request

# (head (last name, first name, sex, birth date), other members, composition, step)
HOUSEHOLDS = [
    (("Démo-Martin", "Alice", "F", "1988-03-14"), [], "single_woman", "draft"),
    (("Démo-Bernard", "Bruno", "M", "1979-11-02"), [], "single_man", "transmitted"),
    (
        ("Démo-Petit", "Chloé", "F", "1992-06-21"),
        [("Démo-Petit", "Léo", "M", "2017-09-05", "child"), ("Démo-Petit", "Inès", "F", "2020-01-30", "child")],
        "single_woman_with_children",
        "waiting",
    ),
    (("Démo-Durand", "David", "M", "1983-08-08"), [], "single_man", "oriented"),
    (
        ("Démo-Leroy", "Emma", "F", "1990-12-12"),
        [("Démo-Leroy", "Hugo", "M", "1989-04-04", "spouse")],
        "couple_without_children",
        "accepted",
    ),
    (("Démo-Moreau", "Fatou", "F", "1975-02-17"), [], "single_woman", "admitted"),
    (("Démo-Simon", "Gabriel", "M", "1968-07-07"), [], "single_man", "closed"),
    (("Démo-Laurent", "Hélène", "F", "1995-05-25"), [], "single_woman", "refused"),
]


def _actor(email: str, role: str) -> Actor:
    membership = Membership.objects.select_related("organization", "program", "user").get(user__email=email, role=role)
    department_ids = set(membership.organization.departments.values_list("pk", flat=True))
    return Actor.for_membership(membership, department_ids, (membership,))


def _person(last_name, first_name, sex, birth_date) -> Person:
    person = Person(
        last_name=last_name, first_name=first_name, sex=sex, birth_date=datetime.date.fromisoformat(birth_date)
    )
    person.save()
    return person


def _household(department, program, head, others, composition) -> Household:
    head_person = _person(*head)
    household = Household.objects.create(
        department=department, composition=Public.objects.get(code=composition), head=head_person
    )
    HouseholdMember.objects.create(household=household, person=head_person, relationship="head")
    for last_name, first_name, sex, birth_date, relationship in others:
        HouseholdMember.objects.create(
            household=household, person=_person(last_name, first_name, sex, birth_date), relationship=relationship
        )
    household.member_count = 1 + len(others)
    household.children_count = sum(1 for *_, relationship in others if relationship == "child")
    household.save(update_fields=["member_count", "children_count"])
    Accompaniment.objects.create(household=household, program=program)
    return household


def _free_place(program) -> Place:
    return Place.objects.filter(place_group__program=program, state=PlaceState.AVAILABLE).order_by("pk").first()


def seed_households(domain: str, department, programs) -> int:
    social_worker = _actor(f"travailleur.social@{domain}", "social_worker")
    siao = _actor(f"operateur.siao@{domain}", "siao_operator")
    manager = _actor(f"responsable.chrs@{domain}", "program_manager")
    chrs = programs["CHRS - Horizon Rennes"]
    origin = social_worker.membership.program
    today = timezone.localdate()
    for index, (head, others, composition, step) in enumerate(HOUSEHOLDS):
        household = _household(department, origin, head, others, composition)
        request = actions.create_request(
            actor=social_worker,
            household=household,
            reason=203 if index % 2 else 205,
            housing_situation=20 if index % 2 else 29,
            recommendations=[ProgramType.CHRS, ProgramType.FAMILY_BOARDING_HOUSE],
            comment="Demande de démonstration : données fictives.",
        )
        if step == "draft":
            continue
        actions.transmit_request(actor=social_worker, request=request)
        # Requests of different ages, so that the queue shows seniority.
        since = timezone.now() - datetime.timedelta(days=15 * (len(HOUSEHOLDS) - index))
        Request.objects.filter(pk=request.pk).update(transmitted_at=since, seniority_from=since)
        if index == 2:
            actions.set_request_priority(actor=siao, request=request, priority=Priority.HIGH)
        if step == "transmitted":
            continue
        actions.mark_request_complete(actor=siao, request=request)
        if step == "waiting":
            continue
        (referral,) = actions.orient_request(actor=siao, request=request, programs=[chrs])
        if step == "oriented":
            continue
        if step == "refused":
            actions.record_household_refusal(
                actor=siao, referral=referral, reason=HouseholdRefusalReason.COLLECTIVE, justified=False
            )
            continue
        # Oriented before the (past) admission date below.
        Referral.objects.filter(pk=referral.pk).update(proposed_at=timezone.now() - datetime.timedelta(days=45))
        referral.refresh_from_db()
        actions.decide_referral(actor=manager, referral=referral, accept=True)
        if step == "accepted":
            continue
        stay = actions.admit(
            actor=manager, referral=referral, place=_free_place(chrs), started_on=today - datetime.timedelta(days=40)
        )
        if step == "closed":
            actions.end_stay(
                actor=manager,
                stay=stay,
                ended_on=today - datetime.timedelta(days=3),
                exit_reason=ExitReason.END_OF_SUPPORT,
                exit_destination=15,
            )
    return len(HOUSEHOLDS)
