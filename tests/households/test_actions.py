"""The household file's actions: permissions, French validation errors that change nothing,
the retention clock, history of members, versioned assessment sections."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.households import actions
from siao.households.enums import PERSON_SENSITIVE_FIELDS, MemberLeftReason, Relationship, Section
from siao.households.models import (
    Accompaniment,
    Assessment,
    AssessmentSectionVersion,
    Household,
    HouseholdMember,
    Note,
    Person,
    ResidentialSituation,
)
from tests.factories import PersonFactory, actor_for, department, household_with, membership_for

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=400)


def actor(role, code="35", **kwargs):
    return actor_for(membership_for(role, code, **kwargs))


def aged(household):
    """Put the household's retention clock far in the past."""
    Household.objects.filter(pk=household.pk).update(last_action_at=LONG_AGO)
    household.refresh_from_db()
    return household


def clock(household):
    return Household.objects.values_list("last_action_at", flat=True).get(pk=household.pk)


HEAD = {"last_name": "Exemple", "first_name": "Camille", "birth_date": datetime.date(1990, 5, 1), "sex": "F"}
CHILD = {
    "last_name": "Exemple",
    "first_name": "Alix",
    "birth_date": datetime.date(2019, 3, 2),
    "sex": "M",
    "relationship": Relationship.CHILD,
}


# --- create_household ------------------------------------------------------------------------


def test_a_siao_operator_creates_a_household_in_its_department_with_a_computed_composition():
    operator = actor(Role.SIAO_OPERATOR)
    household = actions.create_household(actor=operator, head=HEAD, members=[CHILD])
    assert household.department == department("35")
    assert household.composition.code == "single_woman_with_children"
    assert (household.member_count, household.children_count) == (2, 1)
    assert household.head.first_name == "Camille"
    assert not Accompaniment.objects.filter(household=household).exists()
    event = AuditEvent.objects.get(action="households.created")
    assert event.object_id == str(household.public_id)
    assert "Camille" not in str(event.data) and "Exemple" not in str(event.data)
    assert Household.objects.visible_to(operator).filter(pk=household.pk).exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PROGRAM_MANAGER])
def test_a_program_role_creates_the_household_in_its_programs_department_and_accompanies_it(role):
    worker = actor(role, "29")
    household = actions.create_household(actor=worker, head=HEAD)
    assert household.department == department("29")
    assert Accompaniment.objects.get(household=household).program_id == worker.membership.program_id
    assert Household.objects.visible_to(worker).filter(pk=household.pk).exists()


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([], "single_woman"),
        (
            [{**HEAD, "first_name": "Sacha", "sex": "M", "relationship": Relationship.SPOUSE}],
            "couple_without_children",
        ),
        (
            [{**HEAD, "first_name": "Sacha", "sex": "M", "relationship": Relationship.SPOUSE}, CHILD],
            "couple_with_children",
        ),
        ([{**HEAD, "first_name": "Sacha", "relationship": Relationship.SIBLING}], "adult_group"),
        ([{**HEAD, "first_name": "Sacha", "relationship": Relationship.SIBLING}, CHILD], "group_with_children"),
    ],
)
def test_the_composition_is_computed_from_the_members(members, expected):
    household = actions.create_household(actor=actor(Role.CALL_HANDLER), head=HEAD, members=members)
    assert household.composition.code == expected


def test_a_minor_alone_and_an_overridden_composition():
    handler = actor(Role.CALL_HANDLER)
    today = timezone.localdate()
    minor = {**HEAD, "birth_date": today.replace(year=today.year - 16)}
    assert actions.create_household(actor=handler, head=minor).composition.code == "unaccompanied_minor"
    overridden = actions.create_household(actor=handler, head=HEAD, composition="adult_group")
    assert overridden.composition.code == "adult_group"


def test_a_birth_date_in_the_future_is_refused_in_french_and_nothing_is_saved():
    future = {**CHILD, "birth_date": timezone.localdate() + datetime.timedelta(days=3)}
    with pytest.raises(ValidationError) as error:
        actions.create_household(actor=actor(Role.SIAO_OPERATOR), head=HEAD, members=[future])
    assert "La date de naissance ne peut pas être dans le futur." in str(error.value)
    assert not Household.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="households.created").exists()


def test_a_missing_name_and_a_bad_relationship_are_refused():
    with pytest.raises(ValidationError) as error:
        actions.create_household(
            actor=actor(Role.SIAO_OPERATOR),
            head={**HEAD, "last_name": ""},
            members=[{**CHILD, "relationship": "head"}],
        )
    assert set(error.value.message_dict) == {"head-last_name", "member-1-relationship"}
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.SIAO_ADMIN, Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.ANALYST, Role.OPERATOR_MANAGER]
)
def test_roles_without_the_right_cannot_create(role):
    with pytest.raises(PermissionDenied):
        actions.create_household(actor=actor(role), head=HEAD)
    assert not Household.objects.exists()


def test_an_existing_person_leaves_their_household_for_the_new_one_with_history():
    operator = actor(Role.SIAO_OPERATOR)
    spouse = PersonFactory(sex="M")
    old = aged(household_with(persons=[PersonFactory(), spouse], composition="couple_without_children"))
    household = actions.create_household(actor=operator, head={"person": spouse})
    left = HouseholdMember.objects.get(household=old, person=spouse)
    assert left.left_on == timezone.localdate() and left.left_reason == MemberLeftReason.NEW_HOUSEHOLD
    assert HouseholdMember.objects.get(household=household, person=spouse).left_on is None
    old.refresh_from_db()
    assert old.member_count == 1
    assert clock(old) > LONG_AGO
    assert household.composition.code == "single_man"


def test_a_person_out_of_the_perimeter_cannot_be_taken():
    elsewhere = household_with(code="29")
    with pytest.raises(PermissionDenied):
        actions.create_household(actor=actor(Role.SIAO_OPERATOR), head={"person": elsewhere.head})
    assert Household.objects.count() == 1


# --- persons: sensitive fields by role -------------------------------------------------------

# Which person fields each role may change: the common part with the edit right, the
# sensitive fields with the right to write their section.
COMMON = {"last_name", "phone", "family_situation"}
ADMINISTRATIVE = {"nationality", "residence_right"}
HEALTH = {"health_follow_up", "pregnancy", "reduced_mobility"}
VIOLENCE = {"violence_victim"}
WRITABLE = {
    Role.NATIONAL_ADMIN: set(),
    Role.DEPARTMENT_ADMIN: set(),
    Role.ANALYST: set(),
    Role.SIAO_ADMIN: set(),
    Role.SIAO_OPERATOR: COMMON,
    Role.CALL_HANDLER: COMMON | HEALTH | VIOLENCE,
    Role.OPERATOR_MANAGER: set(),
    Role.ASSISTANT: set(),
    Role.PROGRAM_MANAGER: COMMON | ADMINISTRATIVE | HEALTH | VIOLENCE,
    Role.SOCIAL_WORKER: COMMON | ADMINISTRATIVE | HEALTH | VIOLENCE,
}
READABLE_SENSITIVE = {
    Role.NATIONAL_ADMIN: set(),
    Role.DEPARTMENT_ADMIN: set(),
    Role.ANALYST: set(),
    Role.SIAO_ADMIN: set(),
    Role.SIAO_OPERATOR: ADMINISTRATIVE | HEALTH | VIOLENCE | {"pregnancy_due_on"},
    Role.CALL_HANDLER: HEALTH | VIOLENCE | {"pregnancy_due_on"},
    Role.OPERATOR_MANAGER: set(),
    Role.ASSISTANT: set(),
    Role.PROGRAM_MANAGER: ADMINISTRATIVE | HEALTH | VIOLENCE | {"pregnancy_due_on"},
    Role.SOCIAL_WORKER: ADMINISTRATIVE | HEALTH | VIOLENCE | {"pregnancy_due_on"},
}
VALUES = {
    "last_name": "Fictif",
    "phone": "0600000000",
    "family_situation": 20,
    "nationality": "UE",
    "residence_right": 40,
    "health_follow_up": True,
    "pregnancy": True,
    "reduced_mobility": True,
    "violence_victim": True,
}


def test_the_matrices_cover_every_role():
    assert set(WRITABLE) == set(READABLE_SENSITIVE) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_each_role_changes_exactly_the_person_fields_of_its_matrix(role):
    who = actor(role)
    household = household_with(program=who.membership.program)
    person = household.head
    assert set(PERSON_SENSITIVE_FIELDS) & set(actions.readable_person_fields(who)) == READABLE_SENSITIVE[role]
    for field, value in VALUES.items():
        before = clock(aged(household))
        if field in WRITABLE[role]:
            assert actions.update_person(actor=who, person=person, data={field: value}) == [field]
            assert clock(household) > before
        else:
            with pytest.raises(PermissionDenied):
                actions.update_person(actor=who, person=person, data={field: value})
            assert clock(household) == before
    person.refresh_from_db()
    for field in VALUES:
        assert (getattr(person, field) == VALUES[field]) is (field in WRITABLE[role])
    events = AuditEvent.objects.filter(action="households.person_updated")
    assert sorted(e.data["fields"][0] for e in events) == sorted(WRITABLE[role])
    assert all("Fictif" not in str(e.data) for e in events)


def test_a_mix_of_allowed_and_refused_fields_changes_nothing():
    handler = actor(Role.CALL_HANDLER)
    person = household_with().head
    with pytest.raises(PermissionDenied, match="nationalité"):
        actions.update_person(actor=handler, person=person, data={"phone": "0611111111", "nationality": "UE"})
    person.refresh_from_db()
    assert person.phone == "" and person.nationality == "NR"


def test_an_invalid_person_change_is_refused_in_french():
    person = household_with().head
    with pytest.raises(ValidationError) as error:
        actions.update_person(
            actor=actor(Role.SIAO_OPERATOR),
            person=person,
            data={"birth_date": timezone.localdate() + datetime.timedelta(days=1)},
        )
    assert error.value.message_dict["birth_date"] == ["La date de naissance ne peut pas être dans le futur."]
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1985, 4, 12)


def test_residential_situations_are_kept_over_time():
    operator = actor(Role.SIAO_OPERATOR)
    household = aged(household_with())
    actions.record_residential_situation(
        actor=operator, person=household.head, situation=20, since=datetime.date(2024, 1, 1)
    )
    actions.record_residential_situation(actor=operator, person=household.head, situation=22)
    assert list(ResidentialSituation.objects.filter(person=household.head).values_list("situation", flat=True)) == [
        22,
        20,
    ]
    assert clock(household) > LONG_AGO
    with pytest.raises(ValidationError, match="futur"):
        actions.record_residential_situation(
            actor=operator, person=household.head, situation=20, since=timezone.localdate() + datetime.timedelta(1)
        )
    with pytest.raises(ValidationError, match="situation résidentielle"):
        actions.record_residential_situation(actor=operator, person=household.head, situation=999)


# --- members ---------------------------------------------------------------------------------


def test_adding_and_removing_members_keeps_counts_composition_and_history():
    operator = actor(Role.SIAO_OPERATOR)
    household = actions.create_household(actor=operator, head=HEAD)
    child = dict(CHILD)
    child.pop("relationship")
    member = actions.add_member(actor=operator, household=household, relationship=Relationship.CHILD, identity=child)
    household.refresh_from_db()
    assert (household.member_count, household.children_count) == (2, 1)
    assert household.composition.code == "single_woman_with_children"
    actions.remove_member(
        actor=operator, household=household, person=member.person, left_reason=MemberLeftReason.SEPARATION
    )
    household.refresh_from_db()
    assert (household.member_count, household.children_count) == (1, 0)
    assert household.composition.code == "single_woman"
    assert household.members.count() == 2  # history kept
    assert household.members.get(person=member.person).left_reason == MemberLeftReason.SEPARATION


def test_the_head_cannot_leave_and_an_overridden_composition_is_kept():
    operator = actor(Role.SIAO_OPERATOR)
    household = household_with(persons=[PersonFactory(), PersonFactory()], composition="adult_group")
    with pytest.raises(ValidationError, match="personne de référence"):
        actions.remove_member(
            actor=operator, household=household, person=household.head, left_reason=MemberLeftReason.OTHER
        )
    with pytest.raises(ValidationError, match="motif"):
        actions.remove_member(actor=operator, household=household, person=household.head, left_reason="")
    spouse = household.members.exclude(person=household.head).get().person
    actions.set_head(actor=operator, household=household, person=spouse)
    household.refresh_from_db()
    assert household.head == spouse
    assert household.members.get(person=spouse).relationship == Relationship.HEAD


def test_moving_a_person_keeps_the_history_of_both_households():
    operator = actor(Role.SIAO_OPERATOR)
    child_of_old = PersonFactory(birth_date=datetime.date(2015, 1, 1))
    old = aged(household_with(persons=[PersonFactory(), child_of_old], composition="single_woman_with_children"))
    new = aged(household_with())
    actions.move_person(actor=operator, person=child_of_old, to_household=new, relationship=Relationship.CHILD)
    old_member = HouseholdMember.objects.get(household=old, person=child_of_old)
    assert old_member.left_on == timezone.localdate()
    assert old_member.left_reason == MemberLeftReason.NEW_HOUSEHOLD
    assert HouseholdMember.objects.get(household=new, person=child_of_old, left_on__isnull=True)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.member_count, new.member_count, new.children_count) == (1, 2, 1)
    assert clock(old) > LONG_AGO and clock(new) > LONG_AGO
    event = AuditEvent.objects.get(action="households.person_moved")
    assert event.data["from_household"] == str(old.public_id)
    with pytest.raises(ValidationError, match="déjà partie"):
        actions.move_person(actor=operator, person=child_of_old, to_household=new)


def test_a_move_to_a_household_out_of_the_perimeter_is_refused():
    operator = actor(Role.SIAO_OPERATOR)
    person = household_with(persons=[PersonFactory(), PersonFactory()]).members.last().person
    with pytest.raises(PermissionDenied):
        actions.move_person(actor=operator, person=person, to_household=household_with(code="29"))
    assert HouseholdMember.objects.get(person=person).left_on is None


# --- assessments -----------------------------------------------------------------------------


def test_section_saves_append_versions_and_refuse_a_stale_version():
    worker = actor(Role.SOCIAL_WORKER)
    household = household_with(program=worker.membership.program)
    other = actor_for(membership_for(Role.SOCIAL_WORKER, program=worker.membership.program))
    assessment = actions.start_assessment(actor=worker, household=household, kind="social")
    assert assessment.sections.count() == len(Section.values)
    aged(household)
    section, changed = actions.save_assessment_section(
        actor=worker,
        assessment=assessment,
        section=Section.VIOLENCE,
        data={"victim": True, "violence_types": ["conjugal"]},
        text="Suivi par une association.",
        expected_version=0,
    )
    assert section.version == 1
    assert changed == ["victim", "violence_types", "text"]
    assert clock(household) > LONG_AGO
    # Two users had version 1 open: the first save wins, the second is refused.
    actions.save_assessment_section(
        actor=other,
        assessment=assessment,
        section=Section.VIOLENCE,
        data={"victim": True, "violence_types": ["conjugal"], "protection_order": True},
        text="Suivi par une association.",
        expected_version=1,
    )
    with pytest.raises(ValidationError, match="modifiée par une autre personne"):
        actions.save_assessment_section(
            actor=worker,
            assessment=assessment,
            section=Section.VIOLENCE,
            data={"victim": False},
            text="",
            expected_version=1,
        )
    versions = AssessmentSectionVersion.objects.filter(section__assessment=assessment).order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].changed_fields == ["protection_order"]
    assert versions[1].changed_by == other.user and versions[1].changed_by_role == Role.SOCIAL_WORKER
    events = AuditEvent.objects.filter(action="households.assessment_section_saved")
    assert [e.data["section"] for e in events] == ["violence", "violence"]
    assert all("association" not in str(e.data) for e in events)


def test_an_invalid_section_is_refused_in_french_and_nothing_is_saved():
    worker = actor(Role.SOCIAL_WORKER)
    household = household_with(program=worker.membership.program)
    assessment = actions.start_assessment(actor=worker, household=household, kind="social")
    with pytest.raises(ValidationError) as error:
        actions.save_assessment_section(
            actor=worker,
            assessment=assessment,
            section=Section.BUDGET,
            data={"debts_amount": 300},
            text="",
            expected_version=0,
        )
    assert "Un montant de dettes n'est indiqué que si le ménage a des dettes." in error.value.messages
    assert not AssessmentSectionVersion.objects.exists()


def test_a_section_the_role_may_not_write_is_refused():
    handler = actor(Role.CALL_HANDLER)
    household = household_with()
    assessment = actions.start_assessment(actor=handler, household=household, kind="social")
    actions.save_assessment_section(
        actor=handler, assessment=assessment, section=Section.HEALTH, data={}, text="Suivi.", expected_version=0
    )
    for section in (Section.ADMINISTRATIVE, Section.JUSTICE, Section.EXPULSIONS):
        with pytest.raises(PermissionDenied):
            actions.save_assessment_section(
                actor=handler, assessment=assessment, section=section, data={}, text="x", expected_version=0
            )
    with pytest.raises(PermissionDenied):
        actions.start_assessment(actor=actor(Role.SIAO_OPERATOR), household=household, kind="social")


# --- notes and reads -------------------------------------------------------------------------


def test_notes_are_checked_and_move_the_clock():
    operator = actor(Role.SIAO_OPERATOR)
    household = aged(household_with())
    for text, message in (("   ", "Saisissez"), ("x" * 5001, "5000 caractères")):
        with pytest.raises(ValidationError, match=message):
            actions.write_note(actor=operator, household=household, text=text)
    assert clock(household) == LONG_AGO and not Note.objects.exists()
    actions.write_note(actor=operator, household=household, text="Appel reçu.")
    assert clock(household) > LONG_AGO
    event = AuditEvent.objects.get(action="households.note_written")
    assert "Appel" not in str(event.data)


def test_reads_are_audited_but_never_move_the_clock():
    operator = actor(Role.SIAO_OPERATOR)
    household = aged(household_with())
    assessment = Assessment.objects.create(
        household=household, kind="social", author=operator.user, author_organization=operator.organization
    )
    Household.objects.filter(pk=household.pk).update(last_action_at=LONG_AGO)
    actions.view_household(actor=operator, household=household)
    actions.view_section(actor=operator, assessment=assessment, section=Section.HEALTH)
    actions.view_section(actor=operator, assessment=assessment, section=Section.FAMILY)  # not sensitive
    assert clock(household) == LONG_AGO
    seen = actions.consultations(household)
    assert [c.section for c in seen] == ["Santé", ""]
    assert seen[0].email == operator.user.email and seen[0].role == "Opérateur SIAO"
    assert seen[0].organization == operator.organization.name
    with pytest.raises(PermissionDenied):
        actions.view_section(actor=actor(Role.SIAO_ADMIN), assessment=assessment, section=Section.HEALTH)


def test_touch_household_moves_the_clock_to_the_given_time():
    household = aged(household_with())
    when = timezone.now() - datetime.timedelta(days=1)
    actions.touch_household(household, when)
    assert clock(household) == when == household.last_action_at


def test_specific_publics_are_set_with_the_composition_and_unknown_ones_refused():
    actor = actor_for(membership_for(Role.SIAO_OPERATOR))
    household = household_with(code="35")
    actions.set_composition(
        actor=actor, household=household, composition="single_woman", specific_publics=["violence_victims"]
    )
    assert list(household.specific_publics.values_list("code", flat=True)) == ["violence_victims"]
    with pytest.raises(ValidationError) as error:
        actions.set_composition(
            actor=actor, household=household, composition="single_woman", specific_publics=["nope"]
        )
    assert "publics spécifiques" in str(error.value)
    assert list(household.specific_publics.values_list("code", flat=True)) == ["violence_victims"]


def test_a_request_sent_to_another_siao_opens_the_file_to_it_once_transmitted():
    from siao.orientation.models import Request

    household = household_with(code="29")
    siao_35 = actor_for(membership_for(Role.SIAO_OPERATOR, code="35"))
    request = Request.objects.create(household=household, department=department("35"))
    assert request.is_cross_department
    assert not Household.objects.visible_to(siao_35).filter(pk=household.pk).exists()  # a draft
    Request.objects.filter(pk=request.pk).update(status="transmitted")
    assert Household.objects.visible_to(siao_35).filter(pk=household.pk).exists()
    same = Request.objects.create(household=household, department=department("29"))
    assert not same.is_cross_department


def test_a_contact_moves_the_clock_and_bad_dates_or_channels_change_nothing():
    from siao.households.models import Contact

    worker = actor(Role.SIAO_OPERATOR)
    household = aged(household_with())
    today = timezone.localdate()
    for occurred_on, channel, field in (
        (today + datetime.timedelta(days=1), "phone", "futur"),
        (today - datetime.timedelta(days=400), "phone", "plus d'un an"),
        (today, "pigeon", "type de contact"),
    ):
        with pytest.raises(ValidationError, match=field):
            actions.record_contact(actor=worker, household=household, occurred_on=occurred_on, channel=channel)
    assert clock(household) == LONG_AGO and not Contact.objects.exists()
    actions.record_contact(actor=worker, household=household, occurred_on=today, channel="phone")
    assert clock(household) > LONG_AGO
    assert AuditEvent.objects.get(action="households.contact_recorded").data == {
        "channel": "phone",
        "occurred_on": today.isoformat(),
    }
    with pytest.raises(PermissionDenied):
        actions.record_contact(actor=actor(Role.SIAO_ADMIN), household=household, occurred_on=today, channel="phone")
