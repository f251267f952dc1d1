"""Demo data of the 115: obviously fake households ("Démo" names) whose calls, emergency
requests and stays show each outcome, a week of past nights for the daily figures, and the
outreach team's encounters (one signalled to the 115). Written through the 115's actions, then
dated back where a past night is needed."""

import datetime

from django.utils import timezone

from siao.emergency import actions
from siao.emergency.enums import CallerType, EncounterNeed, Provision, SleepingPlace, UnmetReason
from siao.emergency.models import EmergencyRequest, Night
from siao.emergency.nights import tonight
from siao.offer.models import PlaceGroup, Program, Public
from siao.orientation.models import Stay

from .households import _actor, _household

# (head, other members, composition, what happens tonight)
CALLERS = [
    (("Démo-Robert", "Yanis", "M", "1986-02-11"), [], "single_man", "pending"),
    (
        ("Démo-Richard", "Amina", "F", "1994-10-03"),
        [("Démo-Richard", "Nour", "F", "2019-04-15", "child"), ("Démo-Richard", "Sami", "M", "2022-08-01", "child")],
        "single_woman_with_children",
        "oriented",
    ),
    (("Démo-Garcia", "Paul", "M", "1961-12-24"), [], "single_man", "sheltered"),
    (("Démo-Thomas", "Lina", "F", "2001-05-09"), [], "single_woman", "unmet"),
]
GROUP_PUBLICS = {
    "Dortoir hommes (urgence)": ["single_man", "adult_group"],
    "Chambres familles (urgence)": [
        "single_man_with_children",
        "single_woman_with_children",
        "couple_with_children",
        "group_with_children",
        "couple_without_children",
    ],
    "Places hiver": ["all_public"],
}
# Past nights for the daily figures: (nights ago, outcome, children).
HISTORY = [
    (1, "unmet", 0),
    (1, "no_callback", 0),
    (2, "unmet", 2),
    (2, "closed", 0),
    (3, "unmet", 0),
    (4, "no_show", 0),
    (5, "unmet", 1),
    (6, "closed", 0),
]


def _request(handler, household, caller_type=CallerType.PERSON, **kwargs):
    call = actions.log_call(actor=handler, caller_type=caller_type)
    call = actions.attach_household(actor=handler, call=call, household=household)
    return actions.create_emergency_request(
        actor=handler, call=call, sleeping_place=kwargs.pop("sleeping_place", SleepingPlace.STREET), **kwargs
    )


def _family_group(shelter, household):
    from siao.emergency.queries import places_for_tonight

    return places_for_tonight(household, household.department_id).filter(program=shelter).first()


def seed_emergency(domain: str, department, programs) -> int:
    handler = _actor(f"ecoutant.115@{domain}", "call_handler")
    manager = _actor(f"responsable.urgence@{domain}", "program_manager")
    outreach = _actor(f"maraude@{domain}", "social_worker")
    shelter = programs["Hors CHRS - CHU Le Phare"]
    maraude = programs["Maraude - Nuit solidaire"]
    night = tonight()
    # The address the handler gives the person on the phone.
    Program.objects.filter(pk=shelter.pk).update(address="12 quai du Phare", postal_code="35000", city="Rennes")
    PlaceGroup.objects.filter(program=shelter).update(address="12 quai du Phare", postal_code="35000", city="Rennes")
    # Who each group is for: the places for tonight offer the groups made for the household first.
    for name, codes in GROUP_PUBLICS.items():
        group = PlaceGroup.objects.get(program=shelter, name=name)
        group.publics.set(Public.objects.filter(code__in=codes))
    created = 0
    for head, others, composition, step in CALLERS:
        household = _household(department, maraude, head, others, composition)
        emergency_request = _request(
            handler,
            household,
            health_urgency=step == "sheltered",
            violence=step == "oriented",
            comment="Demande de démonstration : données fictives.",
        )
        created += 1
        if step == "pending":
            continue
        if step == "unmet":
            actions.record_unmet(
                actor=handler, emergency_request=emergency_request, reason=UnmetReason.NO_FITTING_PLACE
            )
            continue
        group = _family_group(shelter, household)
        emergency_request = actions.orient_emergency_request(
            actor=handler, emergency_request=emergency_request, place_group=group
        )
        if step == "oriented":
            continue
        stay = actions.confirm_arrival(actor=manager, emergency_request=emergency_request)
        # Sheltered three nights ago, renewed until last night: to renew tonight.
        started = night - datetime.timedelta(days=3)
        Stay.objects.filter(pk=stay.pk).update(started_on=started)
        Night.objects.filter(stay=stay).delete()
        Night.objects.bulk_create(
            Night(stay=stay, night=started + datetime.timedelta(days=n), recorded_by=handler.user) for n in range(3)
        )
        EmergencyRequest.objects.filter(pk=emergency_request.pk).update(
            night_of=started, last_night=night - datetime.timedelta(days=1)
        )
    created += _history(handler, manager, department, maraude, shelter, night)
    _encounters(outreach, department)
    return created


def _history(handler, manager, department, maraude, shelter, night) -> int:
    for index, (ago, outcome, children) in enumerate(HISTORY):
        others = [("Démo-Passé", f"Enfant{n}", "F", "2018-01-0" + str(n + 1), "child") for n in range(children)]
        composition = "single_woman_with_children" if children else "single_man"
        household = _household(
            department, maraude, ("Démo-Passé", f"Appelant{index}", "M", "1980-01-01"), others, composition
        )
        emergency_request = _request(handler, household)
        if outcome == "unmet":
            actions.record_unmet(actor=handler, emergency_request=emergency_request, reason=UnmetReason.NO_PLACE)
        elif outcome == "no_callback":
            actions.record_no_callback(actor=handler, emergency_request=emergency_request)
        else:
            group = _family_group(shelter, household)
            actions.orient_emergency_request(actor=handler, emergency_request=emergency_request, place_group=group)
            if outcome == "no_show":
                actions.record_no_show(actor=handler, emergency_request=emergency_request)
            else:
                actions.confirm_arrival(actor=manager, emergency_request=emergency_request)
                emergency_request.refresh_from_db()
                from siao.orientation.actions import end_stay

                end_stay(
                    actor=manager,
                    stay=emergency_request.stay,
                    ended_on=timezone.localdate(),
                    exit_reason="voluntary",
                    exit_destination=7,
                )
        past = night - datetime.timedelta(days=ago)
        moved = timezone.now() - datetime.timedelta(days=ago)
        EmergencyRequest.objects.filter(pk=emergency_request.pk).update(night_of=past, created_at=moved)
        for stamp in ("oriented_at", "outcome_at"):  # the journey dates its steps by these
            EmergencyRequest.objects.filter(pk=emergency_request.pk, **{f"{stamp}__isnull": False}).update(
                **{stamp: moved + datetime.timedelta(minutes=10)}
            )
        emergency_request.refresh_from_db()
        if emergency_request.call_id:
            emergency_request.call.__class__.objects.filter(pk=emergency_request.call_id).update(received_at=moved)
        if emergency_request.stay_id:
            Stay.objects.filter(pk=emergency_request.stay_id).update(
                started_on=past, ended_on=past + datetime.timedelta(days=1)
            )
            Night.objects.filter(stay_id=emergency_request.stay_id).update(night=past)
            EmergencyRequest.objects.filter(pk=emergency_request.pk).update(last_night=past)
    return len(HISTORY)


def _encounters(outreach, department) -> None:
    now = timezone.now()
    actions.record_encounter(
        actor=outreach,
        occurred_at=now - datetime.timedelta(hours=20),
        location="Parvis de la gare, côté sud",
        persons_count=2,
        description="Deux hommes, la trentaine, un chien",
        needs=[EncounterNeed.FOOD, EncounterNeed.CLOTHING],
        provisions=[Provision.HOT_DRINK, Provision.BLANKET],
        comment="Rencontre de démonstration : données fictives.",
    )
    encounter = actions.record_encounter(
        actor=outreach,
        occurred_at=now - datetime.timedelta(minutes=30),
        location="Square de la Motte, sous le kiosque",
        persons_count=1,
        description="Femme, la cinquantaine, très fatiguée",
        needs=[EncounterNeed.SHELTER, EncounterNeed.HEALTH],
        provisions=[Provision.HOT_DRINK, Provision.MEAL],
        comment="Rencontre de démonstration : données fictives.",
    )
    actions.send_signal(
        actor=outreach,
        encounter=encounter,
        message="Demande une mise à l'abri ce soir ; pas de place connue. Rappel possible au numéro de l'équipe.",
        is_urgent=True,
    )
