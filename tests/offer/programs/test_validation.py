"""The validation circuits: pre-validation by the Administrateur SIAO then validation by the
Administrateur départemental, the direct circuit of the seed's "cas particuliers", refusals
with a reason; each transition audited and told by email; the queue and its decisions."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.offer.actions.validation import prevalidate_program, refuse_program, validate_program
from siao.offer.enums import ProgramType, ValidationStatus
from siao.offer.models import Program
from tests.factories import OperatorFactory, ProgramFactory, UserFactory, department, membership_for

from .helpers import actions_recorded, actor_for

pytestmark = pytest.mark.django_db


def submitted(**kwargs) -> Program:
    requester = UserFactory(email=kwargs.pop("requester_email", "demandeur@asso-test.example"))
    kwargs.setdefault("validation_status", ValidationStatus.SUBMITTED)
    return ProgramFactory(submitted_by=requester, submitted_at=timezone.now(), **kwargs)


def hotel(**kwargs) -> Program:
    return submitted(type=ProgramType.HOTEL, name="Hôtel - Test", **kwargs)


# --- the default circuit ---------------------------------------------------------------------


def test_the_siao_prevalidates_then_the_ddets_validates(django_capture_on_commit_callbacks):
    program = submitted()
    siao_admin, ddets_admin = (
        actor_for(membership_for(Role.SIAO_ADMIN)),
        actor_for(membership_for(Role.DEPARTMENT_ADMIN)),
    )

    with django_capture_on_commit_callbacks(execute=True):
        prevalidate_program(actor=siao_admin, program=program)
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.PREVALIDATED
    assert program.prevalidated_by == siao_admin.user and program.prevalidated_at

    with django_capture_on_commit_callbacks(execute=True):
        validate_program(actor=ddets_admin, program=program)
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.VALIDATED
    assert program.validated_by == ddets_admin.user and program.validated_at
    assert actions_recorded() == ["offer.program_prevalidated", "offer.program_validated"]
    event = AuditEvent.objects.get(action="offer.program_validated")
    assert event.object_id == str(program.public_id)
    assert event.target_organization_id == program.operator_id
    assert event.actor_role == Role.DEPARTMENT_ADMIN


def test_the_ddets_cannot_validate_before_the_siao_prevalidated():
    program = submitted()
    with pytest.raises(PermissionDenied):
        validate_program(actor=actor_for(membership_for(Role.DEPARTMENT_ADMIN)), program=program)
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.SUBMITTED
    assert not AuditEvent.objects.exists()


def test_the_siao_cannot_give_the_final_validation_of_a_chrs():
    program = submitted()
    siao_admin = actor_for(membership_for(Role.SIAO_ADMIN))
    with pytest.raises(PermissionDenied):
        validate_program(actor=siao_admin, program=program)
    prevalidate_program(actor=siao_admin, program=program)
    program.refresh_from_db()
    with pytest.raises(PermissionDenied):
        validate_program(actor=siao_admin, program=program)


@pytest.mark.parametrize("role", [Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.OPERATOR_MANAGER, Role.ANALYST])
def test_other_roles_decide_nothing(role):
    program = submitted()
    actor = actor_for(membership_for(role))
    for action in (prevalidate_program, validate_program):
        with pytest.raises(PermissionDenied):
            action(actor=actor, program=program)
    with pytest.raises(PermissionDenied):
        refuse_program(actor=actor, program=program, reason="Non")
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.SUBMITTED


def test_a_siao_of_another_departement_cannot_prevalidate():
    program = submitted()
    with pytest.raises(PermissionDenied):
        prevalidate_program(actor=actor_for(membership_for(Role.SIAO_ADMIN, code="29")), program=program)


def test_the_national_administrator_can_take_both_steps():
    program = submitted()
    national = actor_for(membership_for(Role.NATIONAL_ADMIN))
    prevalidate_program(actor=national, program=program)
    program.refresh_from_db()
    validate_program(actor=national, program=program)
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.VALIDATED


# --- the direct circuit ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "program_type",
    [ProgramType.HOTEL, ProgramType.RHVS, ProgramType.OTHER_SHELTER, ProgramType.OUTREACH, ProgramType.DNA],
)
def test_special_cases_are_validated_directly_by_the_siao(program_type):
    program = submitted(type=program_type, funded_p177=0, total_managed=0)
    siao_admin = actor_for(membership_for(Role.SIAO_ADMIN))
    with pytest.raises(PermissionDenied):
        prevalidate_program(actor=siao_admin, program=program)
    validate_program(actor=siao_admin, program=program)
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.VALIDATED
    assert program.prevalidated_at is None
    assert actions_recorded() == ["offer.program_validated"]


def test_the_ddets_has_no_step_in_the_direct_circuit():
    program = hotel()
    with pytest.raises(PermissionDenied):
        validate_program(actor=actor_for(membership_for(Role.DEPARTMENT_ADMIN)), program=program)


# --- refusals --------------------------------------------------------------------------------


def test_the_siao_refuses_with_a_reason_told_to_the_requester(django_capture_on_commit_callbacks):
    program = submitted()
    siao_admin = actor_for(membership_for(Role.SIAO_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        refuse_program(actor=siao_admin, program=program, reason="  SIRET d'un autre établissement.  ")
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.REFUSED
    assert program.refusal_reason == "SIRET d'un autre établissement."
    assert program.refused_by == siao_admin.user and program.refused_at
    event = AuditEvent.objects.get(action="offer.program_refused")
    assert event.data == {"from_status": "submitted", "reason": "SIRET d'un autre établissement."}
    assert [m.to for m in mail.outbox] == [["demandeur@asso-test.example"]]
    assert "SIRET d'un autre établissement." in mail.outbox[0].body
    assert "&#x27;" not in mail.outbox[0].body


def test_the_ddets_refuses_a_prevalidated_program():
    program = submitted(validation_status=ValidationStatus.PREVALIDATED)
    refuse_program(actor=actor_for(membership_for(Role.DEPARTMENT_ADMIN)), program=program, reason="Hors schéma.")
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.REFUSED


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_refusal_needs_a_reason(reason):
    program = submitted()
    with pytest.raises(ValidationError) as error:
        refuse_program(actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=program, reason=reason)
    assert error.value.message_dict == {"reason": ["Indiquez le motif du refus : il est transmis au demandeur."]}
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.SUBMITTED
    assert not AuditEvent.objects.exists()


def test_a_program_decided_by_someone_else_is_told_not_forbidden():
    program = submitted()
    first, second = actor_for(membership_for(Role.SIAO_ADMIN)), actor_for(membership_for(Role.SIAO_ADMIN))
    stale = Program.objects.get(pk=program.pk)
    prevalidate_program(actor=first, program=program)
    for action, kwargs in ((prevalidate_program, {}), (refuse_program, {"reason": "Doublon"})):
        with pytest.raises(ValidationError) as error:
            action(actor=second, program=stale, **kwargs)
        assert error.value.messages == [
            "Ce dispositif a déjà été traité : il est maintenant « À valider ». Rechargez la page."
        ]
    assert actions_recorded() == ["offer.program_prevalidated"]


def test_a_decided_program_cannot_be_decided_again():
    program = hotel()
    siao_admin = actor_for(membership_for(Role.SIAO_ADMIN))
    validate_program(actor=siao_admin, program=program)
    program.refresh_from_db()
    with pytest.raises(ValidationError, match="déjà été traité"):
        refuse_program(actor=siao_admin, program=program, reason="Trop tard")
    with pytest.raises(ValidationError, match="déjà été traité"):
        validate_program(actor=siao_admin, program=program)


# --- emails and the operator -----------------------------------------------------------------


def test_a_prevalidation_tells_the_requester_and_the_ddets_of_the_departement(django_capture_on_commit_callbacks):
    program = submitted()
    ddets = membership_for(Role.DEPARTMENT_ADMIN, user__email="ddets35@ddets-test.example")
    membership_for(Role.DEPARTMENT_ADMIN, user__email="revoque@ddets-test.example", revoked_at=timezone.now())
    membership_for(Role.DEPARTMENT_ADMIN, code="29", user__email="ddets29@ddets-test.example")
    membership_for(Role.ANALYST, user__email="analyste@ddets-test.example")
    with django_capture_on_commit_callbacks(execute=True):
        prevalidate_program(
            actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=program, site_url="https://siao.test"
        )
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["ddets35@ddets-test.example", "demandeur@asso-test.example"]
    to_ddets = next(m for m in mail.outbox if m.to == [ddets.user.email])
    assert "attend votre validation" in to_ddets.body
    assert f"https://siao.test/offre/dispositifs/{program.public_id}/" in to_ddets.body


def test_no_email_leaves_before_the_decision_is_committed():
    prevalidate_program(actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=submitted())
    assert not mail.outbox  # on_commit callbacks never run inside the test's transaction


def test_a_program_without_requester_is_decided_silently(django_capture_on_commit_callbacks):
    program = ProgramFactory(type=ProgramType.HOTEL, validation_status=ValidationStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        validate_program(actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=program)
    assert not mail.outbox


def test_the_first_validated_program_validates_its_new_operator_and_adds_the_departement():
    operator = OperatorFactory(validation_status=ValidationStatus.SUBMITTED, department_codes=["29"])
    program = hotel(operator=operator)
    validate_program(actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=program)
    operator.refresh_from_db()
    assert operator.validation_status == ValidationStatus.VALIDATED
    assert set(operator.departments.values_list("code", flat=True)) == {"29", "35"}
    assert actions_recorded() == ["offer.program_validated", "offer.operator_validated"]


def test_a_refused_operator_stays_refused():
    operator = OperatorFactory(validation_status=ValidationStatus.REFUSED)
    validate_program(actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=hotel(operator=operator))
    operator.refresh_from_db()
    assert operator.validation_status == ValidationStatus.REFUSED


# --- only validated, open programs receive orientations --------------------------------------


def test_only_validated_open_programs_that_hold_offer_are_orientable():
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    open_chrs = ProgramFactory()
    open_with_dates = ProgramFactory(starts_on=today, ends_on=today)
    ProgramFactory(validation_status=ValidationStatus.SUBMITTED)
    ProgramFactory(validation_status=ValidationStatus.PREVALIDATED)
    ProgramFactory(validation_status=ValidationStatus.REFUSED)
    starts_tomorrow = ProgramFactory(starts_on=today + day)
    ProgramFactory(ends_on=today - day)
    first_reception = ProgramFactory(type=ProgramType.DNA, funded_p177=0, total_managed=0)
    assert set(Program.objects.orientable()) == {open_chrs, open_with_dates}
    assert first_reception.is_open() and not first_reception.can_receive_orientations()
    assert set(Program.objects.orientable(today + 2 * day)) == {open_chrs, starts_tomorrow}


# --- the queue and the decision views --------------------------------------------------------


def test_the_queue_shows_what_waits_for_each_role(client_as):
    chrs, hotel_program = submitted(), hotel()
    prevalidated = submitted(validation_status=ValidationStatus.PREVALIDATED)
    submitted(department=department("29"))
    ProgramFactory()

    def queue(role):
        return set(client_as(role).get(reverse("offer:validation_queue")).context["page"].object_list)

    assert queue(Role.SIAO_ADMIN) == {chrs, hotel_program}
    assert queue(Role.DEPARTMENT_ADMIN) == {prevalidated}


@pytest.mark.parametrize(
    "name", ["offer:validation_queue", "offer:program_prevalidate", "offer:program_validate", "offer:program_refuse"]
)
def test_the_validation_pages_send_anonymous_users_to_login(client, name):
    url = reverse(name) if name == "offer:validation_queue" else reverse(name, args=[submitted().public_id])
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"
    assert Program.objects.filter(validation_status=ValidationStatus.SUBMITTED).count() <= 1


@pytest.mark.parametrize(
    "role", [Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.OPERATOR_MANAGER, Role.PROGRAM_MANAGER, Role.ANALYST]
)
@pytest.mark.parametrize(
    "name", ["offer:validation_queue", "offer:program_prevalidate", "offer:program_validate", "offer:program_refuse"]
)
def test_the_validation_pages_are_forbidden_to_other_roles(client_as, role, name):
    program = submitted()
    url = reverse(name) if name == "offer:validation_queue" else reverse(name, args=[program.public_id])
    client = client_as(role)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Non"}).status_code == 403
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.SUBMITTED


@pytest.mark.parametrize("name", ["offer:program_prevalidate", "offer:program_validate", "offer:program_refuse"])
def test_a_program_of_another_departement_is_not_found(client_as, name):
    program = submitted(department=department("29"))
    response = client_as(Role.SIAO_ADMIN).post(reverse(name, args=[program.public_id]), {"reason": "Non"})
    assert response.status_code == 404
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.SUBMITTED


def test_decisions_only_accept_post(client_as):
    program = submitted()
    client = client_as(Role.SIAO_ADMIN)
    assert client.get(reverse("offer:program_prevalidate", args=[program.public_id])).status_code == 405
    assert client.get(reverse("offer:program_validate", args=[program.public_id])).status_code == 405


def test_the_siao_prevalidates_from_the_queue_and_comes_back_to_it(client_as):
    program = submitted()
    client = client_as(Role.SIAO_ADMIN)
    page = client.get(reverse("offer:validation_queue")).content.decode()
    assert reverse("offer:program_prevalidate", args=[program.public_id]) in page
    response = client.post(
        reverse("offer:program_prevalidate", args=[program.public_id]),
        {"status": "submitted", "next": "queue"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("offer:validation_queue")
    assert "pré-validé" in response.content.decode()
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.PREVALIDATED


def test_a_stale_page_is_told_the_program_was_already_handled(client_as):
    program = submitted()
    prevalidate_program(actor=actor_for(membership_for(Role.SIAO_ADMIN)), program=program)
    client = client_as(Role.SIAO_ADMIN)
    response = client.post(
        reverse("offer:program_prevalidate", args=[program.public_id]), {"status": "submitted"}, follow=True
    )
    assert response.status_code == 200
    assert "Ce dispositif a déjà été traité : il est maintenant « À valider »." in response.content.decode()
    assert actions_recorded() == ["offer.program_prevalidated"]


def test_the_ddets_validates_from_the_detail_page(client_as):
    program = submitted(validation_status=ValidationStatus.PREVALIDATED)
    client = client_as(Role.DEPARTMENT_ADMIN)
    page = client.get(reverse("offer:program_detail", args=[program.public_id])).content.decode()
    assert "Valider</button>" in page and "Pré-valider</button>" not in page
    response = client.post(reverse("offer:program_validate", args=[program.public_id]), {"status": "prevalidated"})
    assert response.url == reverse("offer:program_detail", args=[program.public_id])
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.VALIDATED


def test_the_refusal_page_requires_a_reason(client_as):
    program = submitted()
    client = client_as(Role.SIAO_ADMIN)
    url = reverse("offer:program_refuse", args=[program.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "  ", "status": "submitted"})
    assert response.status_code == 400
    assert "Le formulaire contient 1 erreur" in response.content.decode()
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.SUBMITTED
    response = client.post(url, {"reason": "Ce n'est pas un CHRS.", "status": "submitted"}, follow=True)
    content = response.content.decode()
    assert "Motif du refus" in content and "Ce n&#x27;est pas un CHRS." in content
    assert Program.objects.get(pk=program.pk).validation_status == ValidationStatus.REFUSED


def test_the_refusal_page_of_a_decided_program_says_so(client_as):
    program = ProgramFactory()
    response = client_as(Role.SIAO_ADMIN).get(reverse("offer:program_refuse", args=[program.public_id]), follow=True)
    assert "Ce dispositif a déjà été traité : il est « Validé »." in response.content.decode()


def test_the_refusal_page_is_forbidden_to_the_ddets_before_prevalidation(client_as):
    program = submitted()
    assert (
        client_as(Role.DEPARTMENT_ADMIN).get(reverse("offer:program_refuse", args=[program.public_id])).status_code
        == 403
    )


def test_the_queue_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    submitted()
    # session, user, memberships, départements; count, rows; session save (3)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("offer:validation_queue"))
    assert len(response.context["page"].object_list) == 1
    for n in range(8):
        submitted(requester_email=f"demandeur{n}@asso-test.example")
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("offer:validation_queue"))
    assert len(response.context["page"].object_list) == 9


QUEUE_QUERIES = 9


def test_a_refusal_posted_after_someone_else_moved_the_program_on_is_told_not_forbidden(client_as):
    program = submitted()
    client = client_as(membership_for(Role.SIAO_ADMIN))
    prevalidate_program(actor=actor_for(membership_for(Role.NATIONAL_ADMIN)), program=program)
    response = client.post(
        reverse("offer:program_refuse", args=[program.public_id]),
        {"reason": "Doublon", "status": ValidationStatus.SUBMITTED},
        follow=True,
    )
    assert response.status_code == 200
    assert "déjà été traité" in response.content.decode()
    program.refresh_from_db()
    assert program.validation_status == ValidationStatus.PREVALIDATED


def test_the_model_refuses_funding_lines_its_category_does_not_have():
    program = ProgramFactory.build(
        operator=OperatorFactory(), type=ProgramType.DNA, name="DNA - Test", funded_p177=5, total_managed=5
    )
    with pytest.raises(ValidationError) as error:
        program.full_clean(exclude=["operator"])
    assert "funded_p177" in error.value.message_dict
    street = ProgramFactory.build(
        operator=OperatorFactory(), type=ProgramType.OUTREACH, total_managed=4, prefectoral_quota=2
    )
    with pytest.raises(ValidationError) as error:
        street.full_clean(exclude=["operator"])
    assert "prefectoral_quota" in error.value.message_dict
