"""The rights of households (RGPD): recording a request (the retention clock moves), answering
it (once, by the SIAO holding the file), the register's order, and the export of a person's
data: every section, every consultation, no agent's e-mail, audited and noted on the request."""

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.audit.models import AuditEvent
from siao.emergency import actions as emergency_actions
from siao.households import actions, rights
from siao.households.enums import (
    RightsRequestChannel,
    RightsRequestKind,
    RightsRequestStatus,
    Section,
)
from siao.households.models import Household, RightsRequest
from siao.households.rights.sections import HOUSEHOLD_SECTIONS, SECTIONS
from siao.orientation import actions as orientation_actions
from tests.emergency.helpers import EmergencyWorld
from tests.factories import PersonFactory, actor_for, default_organization, household_with, membership_for
from tests.orientation.helpers import DESTINATION, World

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REFUSAL = "Demande manifestement excessive (troisième ce mois). Vous pouvez saisir la CNIL."
LONG_AGO = timezone.now() - datetime.timedelta(days=400)


def actor(role, code="35", **kwargs):
    return actor_for(membership_for(role, code, **kwargs))


def clock(household):
    return Household.objects.values_list("last_action_at", flat=True).get(pk=household.pk)


def aged(household):
    Household.objects.filter(pk=household.pk).update(last_action_at=LONG_AGO)
    household.refresh_from_db()
    return household


HEAD = object()


def record_access(recorder, household, person=HEAD, **kwargs):
    values = {
        "kind": RightsRequestKind.ACCESS,
        "received_on": timezone.localdate(),
        "channel": RightsRequestChannel.LETTER,
        "person": household.head if person is HEAD else person,
    }
    return rights.record_rights_request(actor=recorder, household=household, **{**values, **kwargs})


def rich_file():
    """A household whose file has something in every section: a request oriented, accepted,
    admitted and ended; an assessment saved twice; a note, a contact, a residential situation;
    a 115 call, an emergency request sheltered with its night; an outreach encounter; a rights
    request; and consultations by the SIAO."""
    world = World.build()
    household = world.household
    prescriber = world.prescriber
    stay = world.admitted()
    orientation_actions.end_stay(
        actor=world.manager,
        stay=stay,
        ended_on=TODAY,
        exit_reason="end_of_support",
        exit_destination=DESTINATION,
    )
    assessment = actions.start_assessment(actor=prescriber, household=household, kind="social")
    for version, count in enumerate((1, 2)):
        actions.save_assessment_section(
            actor=prescriber,
            assessment=assessment,
            section=Section.FAMILY,
            data={"children_elsewhere": count},
            text=f"Observations {count}",
            expected_version=version,
        )
    actions.write_note(actor=prescriber, household=household, text="Rendez-vous pris à la CAF.")
    actions.record_contact(actor=prescriber, household=household, occurred_on=TODAY, channel="interview")
    actions.record_residential_situation(actor=prescriber, person=household.head, situation=20)
    emergency = EmergencyWorld.build()
    emergency.household = household
    emergency.sheltered()
    household.accompaniments.create(program=emergency.outreach)
    emergency_actions.record_encounter(
        actor=emergency.outreach_worker, location="Parvis de la gare", household=household, needs=["food"]
    )
    rights_request = record_access(prescriber, household)
    for _ in range(3):
        actions.view_household(actor=world.siao, household=household)
    return world, rights_request


# --- who ---------------------------------------------------------------------------------------


def test_one_month_after_a_day_is_the_same_day_or_the_last_of_the_month():
    assert rights.add_one_month(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert rights.add_one_month(datetime.date(2028, 1, 30)) == datetime.date(2028, 2, 29)
    assert rights.add_one_month(datetime.date(2026, 3, 31)) == datetime.date(2026, 4, 30)
    assert rights.add_one_month(datetime.date(2026, 12, 15)) == datetime.date(2027, 1, 15)


@pytest.mark.parametrize(
    ("role", "records", "answers"),
    [
        (Role.SIAO_OPERATOR, True, True),
        (Role.SIAO_ADMIN, True, True),
        (Role.CALL_HANDLER, True, False),
        (Role.PROGRAM_MANAGER, True, False),
        (Role.SOCIAL_WORKER, True, False),
        (Role.NATIONAL_ADMIN, False, False),
        (Role.DEPARTMENT_ADMIN, False, False),
        (Role.ANALYST, False, False),
        (Role.OPERATOR_MANAGER, False, False),
        (Role.ASSISTANT, False, False),
    ],
)
def test_who_records_and_who_answers(role, records, answers):
    subject = actor(role)
    assert rights.can_record_rights_request(subject) is records
    assert rights.can_answer_rights_requests(subject) is answers
    assert rights.can_view_register(subject) is (answers or role == Role.NATIONAL_ADMIN)


def test_only_the_siao_holding_the_file_answers():
    household = household_with()
    assert rights.holds_file(actor(Role.SIAO_OPERATOR), household)
    assert not rights.holds_file(actor(Role.SIAO_OPERATOR, "29"), household)
    assert not rights.holds_file(actor(Role.CALL_HANDLER), household)


# --- recording -----------------------------------------------------------------------------


def test_a_social_worker_records_an_access_request_and_the_clock_moves():
    program_worker = membership_for(Role.SOCIAL_WORKER)
    household = aged(household_with(program=program_worker.program))
    rights_request = record_access(
        actor_for(program_worker), household, by_representative=True, representative="M. Tuteur, UDAF"
    )
    assert rights_request.due_on == rights.add_one_month(TODAY)
    assert rights_request.status == RightsRequestStatus.RECEIVED and rights_request.is_open
    assert rights_request.organization == program_worker.organization
    assert clock(household) > LONG_AGO
    event = AuditEvent.objects.get(action="households.rights_request_recorded")
    assert event.object_id == str(rights_request.public_id)
    assert event.target_organization_id == default_organization(OrganizationKind.SIAO, "35").pk
    assert event.data == {
        "household": str(household.public_id),
        "person": str(household.head.public_id),
        "kind": "access",
        "channel": "letter",
        "by_representative": True,
    }
    assert "Tuteur" not in json.dumps(event.data)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": ""}, "kind", "Choisissez le droit exercé."),
        ({"received_on": TODAY + datetime.timedelta(days=1)}, "received_on", "ne peut pas être dans le futur"),
        ({"received_on": None}, "received_on", "Indiquez la date de réception"),
        ({"channel": "pigeon"}, "channel", "Indiquez comment la demande a été reçue."),
        ({"by_representative": True, "representative": " "}, "representative", "nom et la qualité du représentant"),
        ({"details": "x" * 5001}, "details", "au plus 5000 caractères"),
    ],
)
def test_a_bad_request_is_refused_in_french_and_changes_nothing(changes, field, message):
    household = aged(household_with())
    with pytest.raises(ValidationError) as refused:
        record_access(actor(Role.SIAO_OPERATOR), household, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not RightsRequest.objects.exists()
    assert clock(household) == LONG_AGO
    assert not AuditEvent.objects.filter(action__startswith="households.rights").exists()


def test_the_person_must_belong_to_the_household():
    household = household_with()
    with pytest.raises(ValidationError) as refused:
        record_access(actor(Role.SIAO_OPERATOR), household, person=household_with().head)
    assert refused.value.message_dict["person"] == ["Cette personne ne fait pas partie de ce ménage."]


def test_a_request_for_the_whole_household_has_no_person():
    household = household_with()
    rights_request = rights.record_rights_request(
        actor=actor(Role.SIAO_ADMIN),
        household=household,
        kind=RightsRequestKind.OPPOSITION,
        received_on=TODAY,
        channel=RightsRequestChannel.DPO,
    )
    assert rights_request.person is None and rights_request.representative == ""


def test_recording_is_refused_to_other_roles_and_out_of_the_perimeter():
    household = household_with()
    with pytest.raises(PermissionDenied):
        record_access(actor(Role.ANALYST), household)
    with pytest.raises(PermissionDenied):
        record_access(actor(Role.SIAO_OPERATOR, "29"), household)
    with pytest.raises(PermissionDenied):
        record_access(actor(Role.SOCIAL_WORKER), household)  # another program's household
    assert not RightsRequest.objects.exists()


# --- answering -----------------------------------------------------------------------------


def test_the_siao_answers_once_and_the_clock_does_not_move():
    household = household_with()
    rights_request = record_access(actor(Role.SIAO_OPERATOR), household)
    aged(household)
    siao_admin = actor(Role.SIAO_ADMIN)
    rights.answer_rights_request(
        actor=siao_admin, rights_request=rights_request, outcome="answered", answer="Export remis en main propre."
    )
    rights_request.refresh_from_db()
    assert rights_request.status == RightsRequestStatus.ANSWERED
    assert rights_request.answered_on == TODAY and rights_request.answered_by == siao_admin.user
    assert clock(household) == LONG_AGO
    event = AuditEvent.objects.get(action="households.rights_request_answered")
    assert event.data == {"kind": "access", "outcome": "answered", "late": False}
    with pytest.raises(ValidationError) as refused:
        rights.answer_rights_request(
            actor=siao_admin, rights_request=rights_request, outcome="refused", answer="Finalement non."
        )
    assert refused.value.code == "closed"
    assert f"déjà reçu une réponse le {TODAY:%d/%m/%Y}" in refused.value.messages[0]
    rights_request.refresh_from_db()
    assert rights_request.status == RightsRequestStatus.ANSWERED and rights_request.answer.startswith("Export")
    assert AuditEvent.objects.filter(action="households.rights_request_answered").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"outcome": "received"}, "outcome", "satisfaite ou refusée"),
        ({"outcome": "refused", "answer": ""}, "answer", "les motifs du refus et les voies de recours"),
        ({"outcome": "refused", "answer": "non"}, "answer", "Un refus est motivé : donnez ses motifs"),
        ({"outcome": "refused", "answer": "Non, refusé. Nous ne donnons pas suite."}, "answer", "à la CNIL"),
        ({"answered_on": TODAY + datetime.timedelta(days=1)}, "answered_on", "ne peut pas être dans le futur"),
        ({"answered_on": TODAY - datetime.timedelta(days=5)}, "answered_on", "ne peut pas précéder la réception"),
    ],
)
def test_a_bad_answer_is_refused_and_the_request_stays_open(changes, field, message):
    rights_request = record_access(actor(Role.SIAO_OPERATOR), household_with())
    values = {"outcome": "answered", "answer": "Réponse envoyée par courrier."}
    with pytest.raises(ValidationError) as refused:
        rights.answer_rights_request(
            actor=actor(Role.SIAO_OPERATOR), rights_request=rights_request, **values | changes
        )
    assert message in " ".join(refused.value.message_dict[field])
    rights_request.refresh_from_db()
    assert rights_request.is_open and rights_request.answer == ""


def test_a_refusal_with_reasons_and_the_cnil_closes_the_request():
    rights_request = record_access(actor(Role.SIAO_OPERATOR), household_with())
    rights.answer_rights_request(
        actor=actor(Role.SIAO_OPERATOR),
        rights_request=rights_request,
        outcome="refused",
        answer="Demande manifestement excessive ; réclamation possible auprès de la Cnil.",
    )
    rights_request.refresh_from_db()
    assert rights_request.status == RightsRequestStatus.REFUSED


def test_an_access_request_already_exported_is_answered_not_refused():
    household = household_with()
    rights_request = record_access(actor(Role.SIAO_OPERATOR), household)
    operator = actor(Role.SIAO_OPERATOR)
    rights.export_person_data(actor=operator, rights_request=rights_request, person=household.head)
    with pytest.raises(ValidationError) as refused:
        rights.answer_rights_request(actor=operator, rights_request=rights_request, outcome="refused", answer=REFUSAL)
    assert refused.value.message_dict["outcome"] == [rights.REFUSAL_AFTER_EXPORT]
    rights_request.refresh_from_db()
    assert rights_request.is_open and rights_request.answer == ""
    assert not AuditEvent.objects.filter(action="households.rights_request_answered").exists()
    rights.answer_rights_request(
        actor=operator, rights_request=rights_request, outcome="answered", answer="Export remis en main propre."
    )
    rights_request.refresh_from_db()
    assert rights_request.status == RightsRequestStatus.ANSWERED


def test_a_representative_named_without_the_box_is_refused_not_dropped():
    household = household_with()
    with pytest.raises(ValidationError) as refused:
        record_access(actor(Role.SIAO_OPERATOR), household, representative="Me Durand, avocate")
    assert refused.value.message_dict["representative"] == [
        "Cochez « présentée par un représentant » ou effacez le nom."
    ]
    assert not RightsRequest.objects.exists()
    kept = record_access(
        actor(Role.SIAO_OPERATOR), household, by_representative=True, representative="Me Durand, avocate"
    )
    assert kept.representative == "Me Durand, avocate"


def test_a_late_answer_is_marked_late():
    with time_machine.travel(timezone.now() - datetime.timedelta(days=45)):
        rights_request = record_access(actor(Role.SIAO_OPERATOR), household_with())
    assert rights_request.is_overdue
    rights.answer_rights_request(
        actor=actor(Role.SIAO_OPERATOR), rights_request=rights_request, outcome="refused", answer=REFUSAL
    )
    assert AuditEvent.objects.get(action="households.rights_request_answered").data["late"] is True


@pytest.mark.parametrize("role", [Role.CALL_HANDLER, Role.SOCIAL_WORKER, Role.NATIONAL_ADMIN])
def test_answering_is_refused_to_the_other_roles(role):
    rights_request = record_access(actor(Role.SIAO_OPERATOR), household_with())
    with pytest.raises(PermissionDenied):
        rights.answer_rights_request(actor=actor(role), rights_request=rights_request, outcome="answered", answer="x")
    with pytest.raises(PermissionDenied):
        rights.answer_rights_request(
            actor=actor(Role.SIAO_OPERATOR, "29"), rights_request=rights_request, outcome="answered", answer="x"
        )
    rights_request.refresh_from_db()
    assert rights_request.is_open


# --- the register ----------------------------------------------------------------------------


def test_the_register_shows_overdue_requests_first_then_by_due_date_and_filters():
    operator = actor(Role.SIAO_OPERATOR)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40)):
        late = record_access(operator, household_with())
    recent = record_access(operator, household_with(), received_on=TODAY - datetime.timedelta(days=3))
    newest = record_access(operator, household_with())
    answered = record_access(operator, household_with(), received_on=TODAY - datetime.timedelta(days=10))
    rights.answer_rights_request(actor=operator, rights_request=answered, outcome="answered", answer="Fait.")
    elsewhere = record_access(actor(Role.SIAO_OPERATOR, "29"), household_with(code="29"))
    assert list(rights.register_for(operator)) == [late, recent, newest, answered]
    assert list(rights.register_for(operator, status="overdue")) == [late]
    assert list(rights.register_for(operator, status="answered")) == [answered]
    assert elsewhere in rights.register_for(actor(Role.NATIONAL_ADMIN))


# --- the export ------------------------------------------------------------------------------


def test_the_export_holds_every_section_with_codes_and_labels():
    world, rights_request = rich_file()
    person = world.household.head
    export = rights.person_export(person)
    assert set(export) == {"export", "person", "residential_situations", "households", "labels"}
    assert export["person"]["last_name"] == person.last_name
    assert export["person"]["sex"] == {"code": "F", "label": "Femme"}
    assert export["person"]["health_follow_up"] is None  # not asked: not "no"
    assert export["residential_situations"][0]["situation"]["code"] == 20
    (part,) = export["households"]
    assert part["file"]["file_number"] == str(world.household.public_id)
    assert part["file"]["relationship"] == {"code": "head", "label": "Personne de référence"}
    for key in HOUSEHOLD_SECTIONS:
        assert part[key], f"section vide : {key}"
    (insertion,) = part["requests"]
    assert [change["to_status"]["code"] for change in insertion["status_history"]][-1] == "closed"
    assert {referral["status"]["code"] for referral in part["referrals"]} == {"admitted"}
    assert any(stay["exit_destination"] for stay in part["stays"])
    (family,) = part["assessments"]
    assert [version["version"] for version in family["versions"]] == [1, 2]
    assert {"question": "Enfants vivant hors du ménage", "answer": "2"} in family["content"]
    assert {"question": "Enfants vivant hors du ménage", "answer": "1"} in family["versions"][0]["content"]
    assert family["text"] == "Observations 2"
    assert part["notes"][0]["text"] == "Rendez-vous pris à la CAF."
    assert part["nights"] and part["emergency_requests"][0]["status"]["code"] == "sheltered"
    assert part["outreach_encounters"][0]["needs"] == ["Alimentation"]
    assert part["rights_requests"][0]["kind"] == {"code": "access", "label": "Droit d'accès"}
    assert set(export["labels"]) == set(SECTIONS)
    # JSON-ready once dates are encoded.
    json.loads(json.dumps(export, cls=DjangoJSONEncoder))


def test_the_export_lists_every_consultation_without_the_agents_emails():
    world, _ = rich_file()
    for _ in range(25):
        actions.view_household(actor=world.siao, household=world.household)
    export = rights.person_export(world.household.head)
    (part,) = export["households"]
    assert len(part["consultations"]) == 28  # all of them, not the file page's latest 20
    consultation = part["consultations"][-1]
    assert consultation["organization"] == world.siao.organization.name
    assert consultation["profile"] == "Opérateur SIAO" and consultation["page"] == "Dossier"
    assert {"Transmission écrite", "Admission", "Demande d'exercice des droits enregistrée"} <= {
        row["action"] for row in part["modifications"]
    }
    content = json.dumps(export, cls=DjangoJSONEncoder)
    for membership in (world.siao_membership, world.prescriber_membership, world.manager_membership):
        assert membership.user.email not in content
        assert membership.user.last_name not in content


def test_the_export_of_a_person_who_left_stops_at_their_departure():
    household = household_with(persons=[PersonFactory(), PersonFactory()])
    partner = household.members.exclude(person=household.head).get().person
    operator = actor(Role.SIAO_OPERATOR)
    actions.write_note(actor=operator, household=household, text="Avant le départ.")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        actions.remove_member(actor=operator, household=household, person=partner, left_reason="separation")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5)):
        actions.write_note(actor=operator, household=household, text="Après le départ.")
        actions.update_person(actor=operator, person=household.head, data={"phone": "0600000000"})
        (part,) = rights.person_export(partner)["households"]
    assert [note["text"] for note in part["notes"]] == ["Avant le départ."]
    assert part["file"]["left_reason"]["code"] == "separation"
    # The other member's own changes are theirs, not this person's.
    assert "Personne modifiée" not in {row["action"] for row in part["modifications"]}


def test_exporting_is_noted_on_the_request_and_audited_but_does_not_move_the_clock():
    world, rights_request = rich_file()
    household = aged(world.household)
    operator = actor(Role.SIAO_OPERATOR)
    export = rights.export_person_data(
        actor=operator, rights_request=rights_request, person=household.head, output="json"
    )
    assert export["export"]["prepared_by"] == operator.organization.name
    rights_request.refresh_from_db()
    assert rights_request.export_count == 1 and rights_request.last_exported_by == operator.user
    assert rights_request.is_open  # answering is a separate step
    event = AuditEvent.objects.get(action="households.data_exported")
    assert event.object_id == str(household.public_id)
    assert event.data == {
        "rights_request": str(rights_request.public_id),
        "person": str(household.head.public_id),
        "format": "json",
    }
    assert clock(household) == LONG_AGO


def test_the_export_answers_an_open_access_request_of_the_person():
    household = household_with(persons=[PersonFactory(), PersonFactory()])
    partner = household.members.exclude(person=household.head).get().person
    operator = actor(Role.SIAO_OPERATOR)
    erasure = record_access(operator, household, kind=RightsRequestKind.ERASURE)
    access = record_access(operator, household)
    whole = record_access(operator, household, person=None)
    assert list(rights.open_access_requests(household, household.head)) == [access, whole]
    for rights_request, person in ((erasure, household.head), (access, partner)):
        with pytest.raises(ValidationError):
            rights.export_person_data(actor=operator, rights_request=rights_request, person=person)
    rights.answer_rights_request(actor=operator, rights_request=access, outcome="answered", answer="Fait.")
    with pytest.raises(ValidationError) as refused:
        rights.export_person_data(actor=operator, rights_request=access, person=household.head)
    assert "demande d'accès en cours" in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        rights.export_person_data(actor=actor(Role.CALL_HANDLER), rights_request=whole, person=partner)
    assert rights.export_person_data(actor=operator, rights_request=whole, person=partner)
    assert not AuditEvent.objects.filter(action="households.data_exported", data__person=str(household.head.public_id))
