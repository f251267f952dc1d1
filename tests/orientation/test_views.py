"""The orientation pages: guards (login, role, perimeter), what they show, the POST-redirect-GET
of each step with its French errors (nothing changed), and pinned query counts."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.offer.enums import PlaceState, ProgramType, ValidationStatus
from siao.offer.models import Place, Public
from siao.orientation import actions
from siao.orientation.enums import ReferralStatus, RequestStatus
from siao.orientation.models import Referral, Request, Stay
from tests.factories import PlaceGroupFactory, ProgramFactory

from .helpers import DESTINATION, REASON, SITUATION, World, days_ago, program_role

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"orientation:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def follow(client, path, data):
    response = client.post(path, data, follow=True)
    assert response.status_code == 200
    return response, [str(m) for m in response.context["messages"]]


@pytest.fixture
def world():
    return World.build(places=2)


# --- guards -----------------------------------------------------------------------------------


def all_urls(world):
    stay = world.admitted()
    referral = stay.referral
    request = stay.request
    household = world.household.public_id
    return [
        url("queue"),
        url("request_create", household),
        url("request_detail", request.public_id),
        url("request_edit", request.public_id),
        url("request_transmit", request.public_id),
        url("request_cancel", request.public_id),
        url("request_transfer", request.public_id),
        url("request_send_back", request.public_id),
        url("request_priority", request.public_id),
        url("request_orient", request.public_id),
        url("referral_list"),
        url("referral_detail", referral.public_id),
        url("referral_household_refusal", referral.public_id),
        url("referral_admit", referral.public_id),
        url("direct_admission", household),
        url("stay_list"),
        url("stay_end", stay.public_id),
    ]


def test_every_page_sends_anonymous_users_to_login(client, world):
    for path in all_urls(world):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == f"{reverse('accounts:login')}?next={path}"
    for name in ("request_reactivate", "request_mark_complete"):
        assert client.post(url(name, Request.objects.first().public_id)).status_code == 302


@pytest.mark.parametrize("role", [Role.ANALYST, Role.DEPARTMENT_ADMIN, Role.OPERATOR_MANAGER, Role.NATIONAL_ADMIN])
def test_roles_without_household_data_are_forbidden_everywhere(client_as, world, role):
    client = client_as(role)
    for path in all_urls(world):
        assert client.get(path).status_code == 403, path


def test_a_program_role_of_another_program_finds_nothing(client_as, world):
    stay = world.admitted()
    client = client_as(Role.PROGRAM_MANAGER)
    for path in (
        url("request_detail", stay.request.public_id),
        url("referral_detail", stay.referral.public_id),
        url("referral_admit", stay.referral.public_id),
        url("referral_household_refusal", stay.referral.public_id),
        url("stay_end", stay.public_id),
        url("request_create", world.household.public_id),
        url("direct_admission", world.household.public_id),
        url("request_edit", stay.request.public_id),
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(url("referral_list")).context["page"].paginator.count == 0
    assert client.get(url("stay_list")).context["page"].paginator.count == 0


def test_a_siao_of_another_departement_finds_nothing(client_as, world):
    referral = world.oriented()
    client = client_as(Role.SIAO_OPERATOR, code="29")
    for path in (
        url("request_detail", referral.request.public_id),
        url("request_orient", referral.request.public_id),
        url("request_priority", referral.request.public_id),
        url("referral_household_refusal", referral.public_id),
        url("request_create", world.household.public_id),
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(url("request_mark_complete", referral.request.public_id)).status_code == 404
    assert client.post(url("referral_withdraw", referral.public_id)).status_code == 404
    assert client.get(url("queue")).context["page"].paginator.count == 0


def test_wrong_roles_are_forbidden(client_as, world):
    referral = world.oriented()
    request = referral.request
    call_handler = client_as(Role.CALL_HANDLER)
    assert call_handler.get(url("queue")).status_code == 403
    assert call_handler.get(url("request_detail", request.public_id)).status_code == 200
    assert call_handler.get(url("request_orient", request.public_id)).status_code == 403
    assert call_handler.get(url("referral_list")).status_code == 403
    social_worker = client_as(program_role(world.target, Role.SOCIAL_WORKER))
    assert social_worker.get(url("referral_detail", referral.public_id)).status_code == 200
    assert social_worker.post(url("referral_detail", referral.public_id), {"decision": "accept"}).status_code == 403
    assert social_worker.get(url("referral_admit", referral.public_id)).status_code == 403
    assert social_worker.get(url("queue")).status_code == 403
    call_handler = client_as(Role.CALL_HANDLER)
    assert call_handler.get(url("request_create", world.household.public_id)).status_code == 403
    # The prescriber sees the request, but the SIAO's steps are not its own.
    prescriber = client_as(world.prescriber_membership)
    assert prescriber.get(url("request_detail", request.public_id)).status_code == 200
    assert prescriber.get(url("request_send_back", request.public_id)).status_code == 403
    assert referral.request.status == Request.objects.get(pk=request.pk).status


# --- creation, detail, edit --------------------------------------------------------------------


def test_the_prescriber_creates_a_request_from_the_household_file(client_as, world):
    client = client_as(world.prescriber_membership)
    path = url("request_create", world.household.public_id)
    assert client.get(path).status_code == 200
    response, shown = follow(
        client,
        path,
        {"reason": REASON, "housing_situation": SITUATION, "recommendations": ["chrs", "hotel"], "comment": "Besoin"},
    )
    request = Request.objects.get()
    assert response.redirect_chain == [(url("request_detail", request.public_id), 302)]
    assert shown == ["Demande créée, à compléter. Transmettez-la au SIAO dès qu'elle est complète."]
    assert request.status == RequestStatus.DRAFT and request.origin_program == world.origin
    assert sorted(request.recommended_types) == ["chrs", "hotel"]


def test_bad_input_on_creation_shows_french_errors_and_creates_nothing(client_as, world):
    client = client_as(world.prescriber_membership)
    response = client.post(
        url("request_create", world.household.public_id),
        {"reason": "abc", "housing_situation": "99999", "recommendations": ["nope"], "comment": "x" * 5001},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["reason"] == ["Choisissez un motif de demande parmi ceux proposés."]
    assert errors["housing_situation"] == ["Choisissez une situation résidentielle parmi celles proposées."]
    assert errors["recommendations"] == ["Choisissez les types de dispositifs préconisés parmi ceux proposés."]
    assert errors["comment"] == ["Le texte ne peut pas dépasser 5000 caractères."]
    assert "Le formulaire contient 4 erreurs" in response.content.decode()
    assert not Request.objects.exists()


def test_the_detail_shows_the_request_with_the_comment_made_inert(client_as, world):
    stay = world.admitted(comment="<script>alert('x')</script>\nDeuxième ligne <b>gras</b>")
    client = client_as(world.siao_membership)
    response = client.get(url("request_detail", stay.request.public_id))
    content = response.content.decode()
    assert "<script>alert" not in content and "<b>gras" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>Deuxième ligne &lt;b&gt;gras&lt;/b&gt;" in content
    for text in (
        "CHRS - Les Tilleuls",
        "Admission",
        "Prise en charge",
        "Transmise au SIAO",
        "Orientée",
    ):
        assert text in content
    assert [change.to_status for change in response.context["history"]] == [
        "draft",
        "transmitted",
        "waiting",
        "oriented",
        "admitted",
    ]
    assert [stay.pk for stay in response.context["stays"]] == [stay.pk]
    assert response.context["referrals"][0].status == ReferralStatus.ADMITTED


def test_the_detail_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries, world):
    referral = world.oriented()
    client = client_as(world.siao_membership)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url("request_detail", referral.request.public_id))
    for program in [ProgramFactory() for _ in range(3)]:
        actions.orient_request(actor=world.siao, request=referral.request, programs=[program])
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url("request_detail", referral.request.public_id))
    assert len(response.context["referrals"]) == 4


# session, user, memberships, départements; request; head, composition; recommendations;
# referrals; stays; history; session saved (3)
DETAIL_QUERIES = 19  # 14, and the audited consultation of the file (5)


def test_the_prescriber_edits_a_draft(client_as, world):
    request = world.draft()
    client = client_as(world.prescriber_membership)
    assert client.get(url("request_edit", request.public_id)).status_code == 200
    _, shown = follow(
        client,
        url("request_edit", request.public_id),
        {"reason": REASON, "housing_situation": SITUATION, "recommendations": ["hotel"], "comment": "Mis à jour"},
    )
    assert shown == ["Demande mise à jour."]
    request.refresh_from_db()
    assert request.comment == "Mis à jour" and request.recommended_types == ["hotel"]


# --- the prescriber's steps ----------------------------------------------------------------------


def test_transmit_shows_what_is_missing_then_transmits(client_as, world):
    request = world.draft(reason=None, recommendations=[])
    client = client_as(world.prescriber_membership)
    response = client.get(url("request_transmit", request.public_id))
    assert response.context["missing"] == ["le motif de la demande", "au moins une préconisation (type de dispositif)"]
    assert "La demande est incomplète" in response.content.decode()
    response = client.post(url("request_transmit", request.public_id))
    assert response.status_code == 400
    assert "La demande est incomplète : indiquez le motif de la demande" in response.content.decode()
    assert Request.objects.get(pk=request.pk).status == RequestStatus.DRAFT
    actions.update_request(
        actor=world.prescriber, request=request, reason=REASON, housing_situation=SITUATION, recommendations=["chrs"]
    )
    _, shown = follow(client, url("request_transmit", request.public_id), {})
    assert shown == ["Demande transmise au SIAO."]
    assert Request.objects.get(pk=request.pk).status == RequestStatus.TRANSMITTED
    # Twice: refused, nothing changed.
    response = client.post(url("request_transmit", request.public_id))
    assert response.status_code == 400
    assert "ne peut pas passer à « Transmise au SIAO »" in response.content.decode()
    assert Request.objects.get(pk=request.pk).version == 2


def test_cancel_needs_a_reason_then_reactivate(client_as, world):
    request = world.transmitted()
    client = client_as(world.prescriber_membership)
    response = client.post(url("request_cancel", request.public_id), {"reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Indiquez le motif de l'annulation."]
    response = client.post(url("request_cancel", request.public_id), {"reason": "other", "comment": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["comment"] == ["Précisez le motif de l'annulation."]
    assert Request.objects.get(pk=request.pk).status == RequestStatus.TRANSMITTED
    _, shown = follow(client, url("request_cancel", request.public_id), {"reason": "no_news"})
    assert shown == ["Demande annulée. Elle peut être réactivée si besoin."]
    assert Request.objects.get(pk=request.pk).status == RequestStatus.CANCELLED
    _, shown = follow(client, url("request_reactivate", request.public_id), {})
    assert shown == ["Demande réactivée : « Transmise au SIAO »."]
    _, shown = follow(client, url("request_reactivate", request.public_id), {})
    assert shown == ["Seule une demande annulée peut être réactivée."]


def test_transfer_to_a_service_of_the_departement(client_as, world):
    request = world.draft()
    other = ProgramFactory(type=ProgramType.SOCIAL_SECTOR, name="CCAS - Test")
    ProgramFactory(type=ProgramType.SOCIAL_SECTOR, validation_status=ValidationStatus.SUBMITTED, name="Pas validé")
    client = client_as(world.prescriber_membership)
    response = client.get(url("request_transfer", request.public_id))
    offered = {program.name for program in response.context["form"].fields["to_program"].queryset}
    assert "CCAS - Test" in offered and "Pas validé" not in offered and world.origin.name not in offered
    _, shown = follow(client, url("request_transfer", request.public_id), {"to_program": str(other.public_id)})
    assert shown == ["Demande transférée à « CCAS - Test »."]
    assert Request.objects.get(pk=request.pk).origin_program == other


# --- the SIAO ------------------------------------------------------------------------------------


def test_the_queue_lists_the_siao_requests_in_order_with_their_columns(client_as, world):
    now = timezone.now()
    old, young, urgent = world.transmitted(), world.waiting(), world.transmitted()
    world.draft()  # a prescriber's draft: not the SIAO's yet
    for request, age in ((old, 40), (young, 3), (urgent, 1)):
        Request.objects.filter(pk=request.pk).update(seniority_from=now - datetime.timedelta(days=age, hours=1))
    actions.set_request_priority(actor=world.siao, request=urgent, priority=2)
    actions.orient_request(actor=world.siao, request=young, programs=[world.target])
    client = client_as(world.siao_membership)
    rows = list(client.get(url("queue")).context["page"])
    assert rows == [urgent, old, young]
    assert [(r.seniority, r.active_referrals) for r in rows] == [(1, 0), (40, 0), (3, 1)]
    assert [r.pk for r in client.get(url("queue"), {"statut": "oriented"}).context["page"]] == [young.pk]
    assert [r.pk for r in client.get(url("queue"), {"statut": "transmitted"}).context["page"]] == [urgent.pk, old.pk]
    content = client.get(url("queue")).content.decode()
    assert world.household.head.full_name in content and "Femme seule" in content and "CHRS" in content


def test_the_queue_costs_the_same_whatever_the_number_of_requests(client_as, django_assert_num_queries, world):
    client = client_as(world.siao_membership)
    world.transmitted()
    # session, user, memberships, départements; count, rows, recommendations; session saved (3)
    with django_assert_num_queries(10):
        assert len(client.get(url("queue")).context["page"]) == 1
    for _ in range(6):
        world.oriented()
    with django_assert_num_queries(10):
        assert len(client.get(url("queue")).context["page"]) == 7


def test_the_siao_marks_complete_sends_back_and_sets_the_priority(client_as, world):
    request = world.transmitted()
    client = client_as(world.siao_membership)
    response = client.post(url("request_send_back", request.public_id), {"reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Indiquez ce qui doit être complété."]
    _, shown = follow(client, url("request_mark_complete", request.public_id), {})
    assert shown == ["Dossier complet : la demande attend son orientation."]
    _, shown = follow(client, url("request_mark_complete", request.public_id), {})
    assert shown == ["Une demande « En attente d'orientation » ne peut pas être déclarée complète."]
    response = client.post(url("request_priority", request.public_id), {"priority": "7"})
    assert response.status_code == 400
    assert response.context["form"].errors["priority"] == ["Choisissez une priorité parmi celles proposées."]
    _, shown = follow(client, url("request_priority", request.public_id), {"priority": "1", "comment": "DALO"})
    assert shown == ["Priorité enregistrée : « Prioritaire »."]
    _, shown = follow(client, url("request_send_back", request.public_id), {"reason": "Ajoutez les ressources."})
    assert shown == ["Demande renvoyée au service instructeur pour mise à jour."]
    request.refresh_from_db()
    assert (request.status, request.priority, request.sent_back_reason) == ("to_update", 1, "Ajoutez les ressources.")


def test_the_orientation_page_lists_eligible_programs_recommended_first(client_as, world):
    request = world.waiting(recommendations=["hotel"])
    hotel = ProgramFactory(type=ProgramType.HOTEL, name="Hôtel - Zénith")
    PlaceGroupFactory(program=hotel, capacity=3)
    closed = ProgramFactory(
        name="CHRS - Fermé", ends_on=datetime.date(2020, 1, 1), starts_on=datetime.date(2019, 1, 1)
    )
    for_men = ProgramFactory(name="CHRS - Hommes")
    for_men.publics.set([Public.objects.get(code="single_man")])
    ProgramFactory(name="Accueil de jour", type=ProgramType.DNA)
    client = client_as(world.siao_membership)
    response = client.get(url("request_orient", request.public_id))
    programs = response.context["programs"]
    assert [p.name for p in programs][:2] == ["Hôtel - Zénith", "CHRS - Les Tilleuls"]
    assert {p.name for p in programs}.isdisjoint({"CHRS - Fermé", "CHRS - Hommes", "Accueil de jour"})
    assert [p.available_places for p in programs][:2] == [3, 2]
    assert "Préconisé" in response.content.decode()
    # A closed program posted anyway: refused in French, nothing changed.
    response = client.post(url("request_orient", request.public_id), {"programs": [str(closed.public_id)]})
    assert response.status_code == 400
    assert response.context["form"].errors["programs"] == ["« CHRS - Fermé » est fermé : on ne peut pas y orienter."]
    response = client.post(url("request_orient", request.public_id), {"programs": [str(for_men.public_id)]})
    assert "Le public de « CHRS - Hommes » ne correspond pas" in response.content.decode()
    response = client.post(url("request_orient", request.public_id), {})
    assert response.context["form"].errors["programs"] == ["Choisissez au moins un dispositif."]
    assert not Referral.objects.exists()
    assert Request.objects.get(pk=request.pk).status == RequestStatus.WAITING
    place = world.places()[0]
    _, shown = follow(
        client,
        url("request_orient", request.public_id),
        {"programs": [str(world.target.public_id)], "place": str(place.public_id), "comment": "Entretien mardi"},
    )
    assert shown == ["Demande orientée vers « CHRS - Les Tilleuls »."]
    referral = Referral.objects.get()
    assert (referral.program, referral.place, referral.comment) == (world.target, place, "Entretien mardi")
    assert Request.objects.get(pk=request.pk).status == RequestStatus.ORIENTED


def test_the_orientation_page_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries, world):
    request = world.waiting()
    client = client_as(world.siao_membership)
    with django_assert_num_queries(ORIENT_QUERIES):
        client.get(url("request_orient", request.public_id))
    for _ in range(4):
        PlaceGroupFactory(program=ProgramFactory(), capacity=2)
    with django_assert_num_queries(ORIENT_QUERIES):
        assert len(client.get(url("request_orient", request.public_id)).context["programs"]) == 5


# session, user, memberships, départements; request; recommendations; composition; household's
# specific publics; programs; places; active referrals; head; session saved (3)
ORIENT_QUERIES = 15


def test_the_siao_withdraws_a_referral_and_records_a_household_refusal(client_as, world):
    referral = world.oriented()
    other = ProgramFactory(name="CHRS - Autre")
    (second,) = actions.orient_request(actor=world.siao, request=referral.request, programs=[other])
    client = client_as(world.siao_membership)
    _, shown = follow(client, url("referral_withdraw", second.public_id), {})
    assert shown == ["Orientation vers « CHRS - Autre » retirée."]
    response = client.post(url("referral_household_refusal", referral.public_id), {"reason": "location"})
    assert response.status_code == 400
    assert response.context["form"].errors["justified"] == ["Indiquez si le refus est justifié."]
    response, shown = follow(
        client, url("referral_household_refusal", referral.public_id), {"reason": "location", "justified": "non"}
    )
    assert shown == ["Refus du ménage enregistré (non justifié) : l'ancienneté de la demande repart d'aujourd'hui."]
    assert response.redirect_chain[-1][0] == url("request_detail", referral.request.public_id)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED_BY_HOUSEHOLD and referral.household_refusal_justified is False
    assert Request.objects.get(pk=referral.request_id).status == RequestStatus.WAITING


# --- the program's side -------------------------------------------------------------------------


def test_the_program_lists_its_referrals_active_first(client_as, django_assert_num_queries, world):
    decided = world.oriented()
    actions.decide_referral(actor=world.manager, referral=decided, accept=False, reason="no_place")
    active = world.oriented()
    world.oriented(recommendations=["chrs"])
    client = client_as(world.manager_membership)
    # session, user, memberships, départements; count, rows; session saved (3)
    with django_assert_num_queries(9):
        response = client.get(url("referral_list"))
    rows = list(response.context["page"])
    assert rows[0] == active and rows[-1] == decided and len(rows) == 3


def test_the_program_accepts_then_admits(client_as, world):
    referral = world.oriented()
    client = client_as(world.manager_membership)
    response = client.get(url("referral_detail", referral.public_id))
    assert response.status_code == 200 and response.context["may_decide"]
    # Admission before acceptance: refused in French, nothing changed.
    place = world.places()[0]
    response = client.post(
        url("referral_admit", referral.public_id), {"place": str(place.public_id), "started_on": str(days_ago(0))}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "L'admission suit l'acceptation de l'orientation : acceptez-la d'abord."
    ]
    assert not Stay.objects.exists() and Place.objects.get(pk=place.pk).state == PlaceState.AVAILABLE
    # A refusal without reason: French error.
    response = client.post(url("referral_detail", referral.public_id), {"decision": "refuse"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Indiquez le motif du refus."]
    _, shown = follow(client, url("referral_detail", referral.public_id), {"decision": "accept"})
    assert shown == ["Orientation acceptée. Enregistrez l'admission quand le ménage arrive."]
    # Deciding twice: refused.
    response = client.post(url("referral_detail", referral.public_id), {"decision": "refuse", "reason": "no_place"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Cette orientation est déjà « Acceptée par le dispositif »."
    ]
    response = client.get(url("referral_admit", referral.public_id))
    assert {p.pk for p in response.context["form"].fields["place"].queryset} == {p.pk for p in world.places()}
    response = client.post(
        url("referral_admit", referral.public_id),
        {"place": str(place.public_id), "started_on": str(days_ago(-3))},
    )
    assert response.context["form"].errors["started_on"] == ["La date d'admission ne peut pas être dans le futur."]
    _, shown = follow(
        client,
        url("referral_admit", referral.public_id),
        {"place": str(place.public_id), "started_on": str(days_ago(0))},
    )
    assert shown == [f"Admission enregistrée : {place.label} est occupée."]
    assert Stay.objects.get().place == place
    assert Place.objects.get(pk=place.pk).state == PlaceState.OCCUPIED


def test_the_program_records_a_justified_household_refusal(client_as, world):
    referral = world.oriented()
    seniority = Request.objects.get(pk=referral.request_id).seniority_from
    client = client_as(world.manager_membership)
    response, shown = follow(
        client,
        url("referral_household_refusal", referral.public_id),
        {"reason": "health", "justified": "oui", "comment": "Étage sans ascenseur"},
    )
    assert shown == ["Refus du ménage enregistré (justifié) : l'ancienneté de la demande est conservée."]
    assert response.redirect_chain[-1][0] == url("referral_list")
    assert Request.objects.get(pk=referral.request_id).seniority_from == seniority


def test_direct_admission_and_exit(client_as, django_assert_num_queries, world):
    world.household.accompaniments.create(program=world.target)
    client = client_as(world.manager_membership)
    path = url("direct_admission", world.household.public_id)
    assert client.get(path).status_code == 200
    response = client.post(path, {"place": "", "started_on": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "place": ["Choisissez la place attribuée au ménage."],
        "started_on": ["Indiquez la date d'admission."],
    }
    place = world.places()[1]
    _, shown = follow(client, path, {"place": str(place.public_id), "started_on": str(days_ago(5)), "reason": REASON})
    assert shown == [f"Admission directe enregistrée : {place.label} est occupée."]
    stay = Stay.objects.get()
    assert stay.request.is_pseudo
    # session, user, memberships, départements; count, rows; session saved (3)
    with django_assert_num_queries(9):
        response = client.get(url("stay_list"))
    assert list(response.context["page"]) == [stay]
    exit_path = url("stay_end", stay.public_id)
    response = client.post(
        exit_path,
        {"ended_on": str(days_ago(6)), "exit_reason": "voluntary", "exit_destination": str(DESTINATION)},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ended_on"] == [
        "La date de sortie ne peut pas précéder la date d'admission."
    ]
    assert Stay.objects.get().ended_on is None
    response = client.post(exit_path, {"ended_on": str(days_ago(0)), "exit_reason": "", "exit_destination": "abc"})
    assert response.context["form"].errors == {
        "exit_reason": ["Indiquez le motif de sortie."],
        "exit_destination": ["Indiquez la situation du ménage à la sortie."],
    }
    _, shown = follow(
        client,
        exit_path,
        {"ended_on": str(days_ago(0)), "exit_reason": "voluntary", "exit_destination": str(DESTINATION)},
    )
    assert shown == ["Sortie enregistrée : la place est de nouveau disponible."]
    assert Place.objects.get(pk=place.pk).state == PlaceState.AVAILABLE
    assert Stay.objects.get().ended_on == days_ago(0)


# --- templates: CSP ---------------------------------------------------------------------------


def test_the_templates_have_no_inline_style_nor_script():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "siao" / "templates"
    for template in [*(root / "orientation").glob("*.html"), root / "households" / "_requests_block.html"]:
        text = template.read_text()
        assert not re.search(r"style=|<style|<script|on(click|load|change)=", text), template


# --- the other pages: a fixed number of queries -------------------------------------------------


def pages(world):
    """(who, path, queries) for the remaining GET pages; each cost includes the 4 queries of
    the session and the actor and the 3 of the session saved."""
    stay = world.admitted()
    accepted = world.accepted()
    draft = world.draft()
    household = world.household.public_id
    return [
        ("prescriber", url("request_create", household), 8),
        ("prescriber", url("request_edit", draft.public_id), 11),
        ("prescriber", url("request_transmit", draft.public_id), 11),
        ("prescriber", url("request_cancel", draft.public_id), 10),
        ("prescriber", url("request_transfer", draft.public_id), 11),
        ("siao", url("request_send_back", accepted.request.public_id), 10),
        ("siao", url("request_priority", accepted.request.public_id), 10),
        ("manager", url("referral_detail", accepted.public_id), 16),  # with the audited consultation of the file
        ("manager", url("referral_admit", accepted.public_id), 12),
        ("manager", url("referral_household_refusal", accepted.public_id), 10),
        ("manager", url("direct_admission", household), 9),
        ("manager", url("stay_end", stay.public_id), 10),
    ]


def test_the_other_pages_run_a_fixed_number_of_queries(client_as, django_assert_num_queries, world):
    members = {"prescriber": world.prescriber_membership, "siao": world.siao_membership}
    members["manager"] = world.manager_membership
    for who, path, queries in pages(world):
        client = client_as(members[who])
        with django_assert_num_queries(queries):
            response = client.get(path)
        assert response.status_code == 200, path


def test_opening_a_request_or_a_referral_is_a_consultation_of_the_file(client_as, world):
    from siao.audit.models import AuditEvent

    referral = world.oriented()
    client_as(world.siao_membership).get(url("request_detail", referral.request.public_id))
    client_as(world.manager_membership).get(url("referral_detail", referral.public_id))
    events = AuditEvent.objects.filter(action="households.file_viewed", object_id=str(world.household.public_id))
    assert sorted((e.data["page"], e.data["object"]) for e in events) == sorted(
        [("request", str(referral.request.public_id)), ("referral", str(referral.public_id))]
    )
