"""The orientation actions end to end: the lifecycle, every refused input (French message,
nothing changed), seniority, the SIAO's order, the retention clock and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siao.accounts.enums import Role
from siao.households.models import Household
from siao.offer.enums import PlaceState, ProgramType, ValidationStatus
from siao.offer.models import Place, Public
from siao.orientation import actions
from siao.orientation.enums import ReferralStatus, RequestStatus
from siao.orientation.models import Referral, Request, RequestStatusChange, Stay
from tests.factories import PlaceGroupFactory, ProgramFactory, department, membership_for

from .helpers import DESTINATION, REASON, SITUATION, World, actions_recorded, actor_for, days_ago

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything an action may write: compared before and after a refused action."""
    return (
        list(Request.objects.order_by("pk").values()),
        list(Referral.objects.order_by("pk").values()),
        list(Stay.objects.order_by("pk").values()),
        list(Place.objects.order_by("pk").values("pk", "state", "version")),
        RequestStatusChange.objects.count(),
        list(Household.objects.order_by("pk").values_list("last_action_at", flat=True)),
        len(actions_recorded()),
    )


def refused(call, *, expected: str, exception=ValidationError):
    before = snapshot()
    with pytest.raises(exception) as info:
        call()
    assert expected in " ".join(getattr(info.value, "messages", [str(info.value)]))
    assert snapshot() == before
    return info.value


# --- the full lifecycle -----------------------------------------------------------------------


def test_the_full_lifecycle_from_draft_to_exit():
    world = World.build()
    request = world.draft()
    assert request.status == RequestStatus.DRAFT and request.transmitted_at is None
    request = actions.transmit_request(actor=world.prescriber, request=request)
    assert request.status == RequestStatus.TRANSMITTED and request.seniority_from == request.transmitted_at
    request = actions.send_back_request(actor=world.siao, request=request, reason="Précisez les ressources.")
    assert request.status == RequestStatus.TO_UPDATE and request.sent_back_reason == "Précisez les ressources."
    first_seniority = request.seniority_from
    request = actions.transmit_request(actor=world.prescriber, request=request)
    assert request.seniority_from == first_seniority and request.sent_back_reason == ""
    request = actions.mark_request_complete(actor=world.siao, request=request)
    assert request.status == RequestStatus.WAITING
    (referral,) = actions.orient_request(actor=world.siao, request=request, programs=[world.target])
    assert Request.objects.get(pk=request.pk).status == RequestStatus.ORIENTED
    referral = actions.decide_referral(actor=world.manager, referral=referral, accept=True)
    assert referral.status == ReferralStatus.ACCEPTED
    place = world.places()[0]
    # Oriented three weeks ago, admitted ten days ago.
    Referral.objects.filter(pk=referral.pk).update(proposed_at=timezone.now() - datetime.timedelta(days=21))
    stay = actions.admit(actor=world.manager, referral=referral, place=place, started_on=days_ago(10))
    place.refresh_from_db()
    assert place.state == PlaceState.OCCUPIED
    assert Request.objects.get(pk=request.pk).status == RequestStatus.ADMITTED
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ADMITTED
    stay = actions.end_stay(
        actor=world.manager,
        stay=stay,
        ended_on=days_ago(1),
        exit_reason="end_of_support",
        exit_destination=DESTINATION,
    )
    place.refresh_from_db()
    assert place.state == PlaceState.AVAILABLE and stay.ended_on == days_ago(1)
    assert Request.objects.get(pk=request.pk).status == RequestStatus.CLOSED
    assert list(RequestStatusChange.objects.filter(request=request).values_list("to_status", flat=True)) == [
        "draft",
        "transmitted",
        "to_update",
        "transmitted",
        "waiting",
        "oriented",
        "admitted",
        "closed",
    ]
    assert actions_recorded()[-10:] == [
        "orientation.request_created",
        "orientation.request_transmitted",
        "orientation.request_sent_back",
        "orientation.request_transmitted",
        "orientation.request_checked",
        "orientation.referral_proposed",
        "orientation.referral_accepted",
        "orientation.admitted",
        "orientation.stay_ended",
    ]


def test_every_action_moves_the_household_retention_clock():
    world = World.build()
    old = timezone.now() - datetime.timedelta(days=400)

    def rewind():
        Household.objects.filter(pk=world.household.pk).update(last_action_at=old)

    def moved() -> bool:
        return Household.objects.get(pk=world.household.pk).last_action_at > old

    rewind()
    request = world.draft()
    assert moved()
    for step in (
        lambda r: actions.update_request(
            actor=world.prescriber, request=r, reason=REASON, housing_situation=SITUATION, recommendations=["chrs"]
        ),
        lambda r: actions.transmit_request(actor=world.prescriber, request=r),
        lambda r: actions.set_request_priority(actor=world.siao, request=r, priority=2),
        lambda r: actions.mark_request_complete(actor=world.siao, request=r),
    ):
        rewind()
        request = step(request)
        assert moved()
    rewind()
    (referral,) = actions.orient_request(actor=world.siao, request=request, programs=[world.target])
    assert moved()
    rewind()
    actions.decide_referral(actor=world.manager, referral=referral, accept=True)
    assert moved()
    rewind()
    stay = actions.admit(actor=world.manager, referral=referral, place=world.places()[0], started_on=days_ago(0))
    assert moved()
    rewind()
    actions.end_stay(
        actor=world.manager, stay=stay, ended_on=days_ago(0), exit_reason="other", exit_destination=DESTINATION
    )
    assert moved()


def test_cancel_then_reactivate_restores_the_status():
    world = World.build()
    referral = world.oriented()
    request = actions.cancel_request(actor=world.siao, request=referral.request, reason="no_news")
    assert request.status == RequestStatus.CANCELLED
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.WITHDRAWN
    request = actions.reactivate_request(actor=world.siao, request=request)
    assert request.status == RequestStatus.WAITING and request.cancel_reason == ""
    assert "orientation.request_cancelled" in actions_recorded()
    assert actions_recorded()[-1] == "orientation.request_reactivated"


def test_transfer_hands_the_request_to_another_service_of_the_departement():
    world = World.build()
    request = world.draft()
    other = ProgramFactory(type=ProgramType.SOCIAL_SECTOR, name="CCAS - Test")
    request = actions.transfer_request(actor=world.prescriber, request=request, to_program=other)
    assert request.origin_program == other
    assert RequestStatusChange.objects.filter(request=request, comment__startswith="Transférée").exists()
    assert world.household.accompaniments.filter(program=other, ended_on__isnull=True).exists()
    assert not world.household.accompaniments.filter(program=world.origin, ended_on__isnull=True).exists()


def test_a_transfer_elsewhere_or_to_an_unvalidated_service_is_refused():
    world = World.build()
    request = world.draft()
    elsewhere = ProgramFactory(department=department("29"))
    refused(
        lambda: actions.transfer_request(actor=world.prescriber, request=request, to_program=elsewhere),
        expected="Choisissez un service du département de la demande.",
    )
    submitted = ProgramFactory(validation_status=ValidationStatus.SUBMITTED)
    refused(
        lambda: actions.transfer_request(actor=world.prescriber, request=request, to_program=submitted),
        expected="Choisissez un service validé et ouvert.",
    )


def test_a_direct_admission_creates_a_pseudo_request_and_its_stay():
    world = World.build(places=2)
    world.household.accompaniments.create(program=world.target)
    stay = actions.direct_admission(
        actor=world.manager, household=world.household, place=world.places()[0], started_on=days_ago(2), reason=REASON
    )
    assert stay.request.is_pseudo and stay.request.status == RequestStatus.ADMITTED and stay.referral is None
    assert Place.objects.get(pk=world.places()[0].pk).state == PlaceState.OCCUPIED
    refused(
        lambda: actions.direct_admission(
            actor=world.manager, household=world.household, place=world.places()[1], started_on=days_ago(0)
        ),
        expected="Ce ménage est déjà pris en charge dans votre dispositif.",
    )


# --- refused inputs: French message, nothing changed -------------------------------------------


def test_an_exit_before_the_admission_is_refused():
    world = World.build()
    stay = world.admitted()
    refused(
        lambda: actions.end_stay(
            actor=world.manager,
            stay=stay,
            ended_on=stay.started_on - datetime.timedelta(days=1),
            exit_reason="voluntary",
            exit_destination=DESTINATION,
        ),
        expected="La date de sortie ne peut pas précéder la date d'admission.",
    )


def test_an_exit_twice_and_an_exit_without_reason_are_refused():
    world = World.build()
    stay = world.admitted()
    refused(
        lambda: actions.end_stay(
            actor=world.manager, stay=stay, ended_on=days_ago(0), exit_reason="", exit_destination=None
        ),
        expected="Indiquez le motif de sortie.",
    )
    actions.end_stay(
        actor=world.manager, stay=stay, ended_on=days_ago(0), exit_reason="other", exit_destination=DESTINATION
    )
    refused(
        lambda: actions.end_stay(
            actor=world.manager, stay=stay, ended_on=days_ago(0), exit_reason="other", exit_destination=DESTINATION
        ),
        expected="Cette prise en charge est déjà terminée.",
    )


@pytest.mark.parametrize(
    ("target_kwargs", "expected"),
    [
        ({"ends_on": datetime.date(2020, 12, 31), "starts_on": datetime.date(2020, 1, 1)}, "est fermé"),
        ({"validation_status": ValidationStatus.PREVALIDATED}, "n'est pas encore validé"),
        ({"type": ProgramType.DNA}, "est un service de Premier accueil"),
        ({"department": None}, "Votre SIAO n'oriente pas vers"),
    ],
)
def test_an_orientation_to_a_program_that_cannot_receive_the_household_is_refused(target_kwargs, expected):
    if target_kwargs.get("department", "") is None:
        target_kwargs = {"department": department("29")}
    world = World.build(places=0, **target_kwargs)
    request = world.waiting()
    refused(
        lambda: actions.orient_request(actor=world.siao, request=request, programs=[world.target]),
        expected=expected,
    )


def test_an_orientation_to_a_program_whose_public_excludes_the_household_is_refused():
    world = World.build(composition="single_woman")
    world.target.publics.set([Public.objects.get(code="single_man")])
    request = world.waiting()
    refused(
        lambda: actions.orient_request(actor=world.siao, request=request, programs=[world.target]),
        expected="ne correspond pas à la composition ou à la situation du ménage",
    )


def test_orienting_twice_to_the_same_program_is_refused():
    world = World.build()
    referral = world.oriented()
    refused(
        lambda: actions.orient_request(actor=world.siao, request=referral.request, programs=[world.target]),
        expected="Le ménage est déjà orienté vers « CHRS - Les Tilleuls ».",
    )


def test_an_orientation_on_a_place_of_another_program_is_refused():
    world = World.build()
    request = world.waiting()
    other_place = PlaceGroupFactory(capacity=1).places.get()
    refused(
        lambda: actions.orient_request(actor=world.siao, request=request, programs=[world.target], place=other_place),
        expected="La place choisie doit appartenir au dispositif choisi.",
    )


def test_transitions_that_do_not_exist_are_refused():
    world = World.build()
    request = world.transmitted()
    refused(
        lambda: actions.transmit_request(actor=world.prescriber, request=request),
        expected="Une demande « Transmise au SIAO » ne peut pas passer à « Transmise au SIAO ».",
    )
    request = actions.mark_request_complete(actor=world.siao, request=request)
    refused(
        lambda: actions.mark_request_complete(actor=world.siao, request=request),
        expected="Une demande « En attente d'orientation » ne peut pas être déclarée complète.",
    )
    (referral,) = actions.orient_request(actor=world.siao, request=request, programs=[world.target])
    refused(
        lambda: actions.admit(actor=world.manager, referral=referral, place=world.places()[0], started_on=days_ago(0)),
        expected="L'admission suit l'acceptation de l'orientation : acceptez-la d'abord.",
    )
    actions.decide_referral(actor=world.manager, referral=referral, accept=True)
    refused(
        lambda: actions.decide_referral(actor=world.manager, referral=referral, accept=False, reason="no_place"),
        expected="Cette orientation est déjà « Acceptée par le dispositif ».",
    )
    refused(
        lambda: actions.reactivate_request(actor=world.siao, request=request),
        expected="Seule une demande annulée peut être réactivée.",
    )


def test_an_incomplete_request_is_not_transmitted_and_says_what_is_missing():
    world = World.build()
    request = world.draft(reason=None, recommendations=[])
    error = refused(
        lambda: actions.transmit_request(actor=world.prescriber, request=request),
        expected="La demande est incomplète : indiquez le motif de la demande, au moins une préconisation",
    )
    assert error.code == "incomplete"
    assert actions.missing_for_transmission(request) == [
        "le motif de la demande",
        "au moins une préconisation (type de dispositif)",
    ]


def test_bad_request_fields_are_refused_in_french():
    world = World.build()
    before = Request.objects.count()
    with pytest.raises(ValidationError) as info:
        actions.create_request(
            actor=world.prescriber,
            household=world.household,
            reason=9999,
            housing_situation=9999,
            recommendations=["x"],
        )
    assert info.value.message_dict == {
        "reason": ["Choisissez un motif de demande parmi ceux proposés."],
        "housing_situation": ["Choisissez une situation résidentielle parmi celles proposées."],
        "recommendations": ["Choisissez les types de dispositifs préconisés parmi ceux proposés."],
    }
    assert Request.objects.count() == before


def test_a_refusal_by_the_program_needs_a_reason_and_returns_the_request_to_waiting():
    world = World.build()
    referral = world.oriented()
    refused(
        lambda: actions.decide_referral(actor=world.manager, referral=referral, accept=False, reason=""),
        expected="Indiquez le motif du refus.",
    )
    refused(
        lambda: actions.decide_referral(actor=world.manager, referral=referral, accept=False, reason="other"),
        expected="Précisez le motif du refus.",
    )
    actions.decide_referral(actor=world.manager, referral=referral, accept=False, reason="no_place")
    assert Request.objects.get(pk=referral.request_id).status == RequestStatus.WAITING
    assert actions_recorded()[-1] == "orientation.referral_refused"


def test_an_admission_in_the_future_or_on_an_occupied_place_is_refused():
    world = World.build(places=2)
    referral = world.accepted()
    first, second = world.places()
    refused(
        lambda: actions.admit(
            actor=world.manager,
            referral=referral,
            place=first,
            started_on=timezone.localdate() + datetime.timedelta(1),
        ),
        expected="La date d'admission ne peut pas être dans le futur.",
    )
    Place.objects.filter(pk=first.pk).update(state=PlaceState.OCCUPIED)
    refused(
        lambda: actions.admit(actor=world.manager, referral=referral, place=first, started_on=days_ago(0)),
        expected="Cette place n'est plus disponible",
    )
    other_program_place = PlaceGroupFactory(capacity=1).places.get()
    refused(
        lambda: actions.admit(
            actor=world.manager, referral=referral, place=other_program_place, started_on=days_ago(0)
        ),
        expected="Choisissez une place de votre dispositif.",
    )
    assert actions.admit(actor=world.manager, referral=referral, place=second, started_on=days_ago(0))


def test_actors_outside_their_perimeter_are_refused():
    world = World.build()
    referral = world.oriented()
    request = referral.request
    other_manager = actor_for(membership_for(Role.PROGRAM_MANAGER))
    siao_29 = actor_for(membership_for(Role.SIAO_OPERATOR, code="29"))
    refused(
        lambda: actions.decide_referral(actor=other_manager, referral=referral, accept=True),
        expected="Cette orientation ne concerne pas votre dispositif.",
        exception=PermissionDenied,
    )
    refused(
        lambda: actions.orient_request(actor=siao_29, request=request, programs=[world.target]),
        expected="Cette demande ne relève pas de votre SIAO.",
        exception=PermissionDenied,
    )
    social_worker = actor_for(
        membership_for(Role.SOCIAL_WORKER, organization=world.target.operator, program=world.target)
    )
    refused(
        lambda: actions.decide_referral(actor=social_worker, referral=referral, accept=True),
        expected="Cette orientation ne concerne pas votre dispositif.",
        exception=PermissionDenied,
    )


# --- seniority and the queue's order --------------------------------------------------------


def test_an_unjustified_household_refusal_resets_the_seniority():
    world = World.build()
    referral = world.oriented()
    old = timezone.now() - datetime.timedelta(days=90)
    Request.objects.filter(pk=referral.request_id).update(seniority_from=old)
    actions.record_household_refusal(actor=world.siao, referral=referral, reason="collective", justified=False)
    request = Request.objects.get(pk=referral.request_id)
    assert request.seniority_from > old + datetime.timedelta(days=89)
    assert request.status == RequestStatus.WAITING
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.REFUSED_BY_HOUSEHOLD
    assert actions_recorded()[-1] == "orientation.household_refused"


def test_a_justified_household_refusal_keeps_the_seniority():
    world = World.build()
    referral = world.oriented()
    old = timezone.now() - datetime.timedelta(days=90)
    Request.objects.filter(pk=referral.request_id).update(seniority_from=old)
    actions.record_household_refusal(actor=world.manager, referral=referral, reason="location", justified=True)
    assert Request.objects.get(pk=referral.request_id).seniority_from == old


def test_a_household_refusal_needs_a_reason():
    world = World.build()
    referral = world.oriented()
    refused(
        lambda: actions.record_household_refusal(actor=world.siao, referral=referral, reason="nope", justified=True),
        expected="Indiquez le motif du refus du ménage.",
    )


def test_the_queue_orders_by_priority_then_seniority():
    world = World.build()
    now = timezone.now()
    requests = [world.transmitted() for _ in range(4)]
    ages = [10, 50, 30, 5]
    for request, age in zip(requests, ages, strict=True):
        Request.objects.filter(pk=request.pk).update(seniority_from=now - datetime.timedelta(days=age))
    actions.set_request_priority(actor=world.siao, request=requests[3], priority=1)
    ordered = list(Request.objects.filter(pk__in=[r.pk for r in requests]).siao_queue())
    assert ordered == [requests[3], requests[1], requests[2], requests[0]]
    assert actions_recorded()[-1] == "orientation.request_priority_set"


def test_a_household_already_staying_in_the_program_is_not_admitted_twice():
    world = World.build(places=2)
    world.admitted()
    second = world.accepted()
    free = next(place for place in world.places() if place.state == PlaceState.AVAILABLE)
    with pytest.raises(ValidationError) as error:
        actions.admit(actor=world.manager, referral=second, place=free, started_on=timezone.localdate())
    assert "déjà pris en charge" in str(error.value)
    free.refresh_from_db()
    second.refresh_from_db()
    assert (free.state, second.status) == (PlaceState.AVAILABLE, ReferralStatus.ACCEPTED)
    assert Stay.objects.filter(household=world.household).count() == 1


def test_an_admission_cannot_be_dated_before_the_orientation():
    world = World.build(places=1)
    referral = world.accepted()
    place = world.places()[0]
    with pytest.raises(ValidationError) as error:
        actions.admit(actor=world.manager, referral=referral, place=place, started_on=days_ago(1))
    assert "précéder l'orientation" in str(error.value)
    place.refresh_from_db()
    referral.refresh_from_db()
    assert (place.state, referral.status) == (PlaceState.AVAILABLE, ReferralStatus.ACCEPTED)
    assert not Stay.objects.exists()
