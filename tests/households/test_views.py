"""The household pages: guards (anonymous, role, perimeter), what the file page shows by role,
audited reads, escaped notes, and query counts that do not grow with the file."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.audit.models import AuditEvent
from siao.households import actions
from siao.households.enums import Section
from siao.households.models import AssessmentSectionVersion, Household, HouseholdMember, Note, Person
from tests.factories import PersonFactory, ProgramFactory, actor_for, department, household_with, membership_for

pytestmark = pytest.mark.django_db

LIST = reverse("households:household_list")
CREATE = reverse("households:household_create")
HOUSEHOLD_ROLES = [Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER]
OTHER_ROLES = [Role.NATIONAL_ADMIN, Role.DEPARTMENT_ADMIN, Role.ANALYST, Role.OPERATOR_MANAGER, Role.ASSISTANT]


def file_url(household, name="households:household_detail"):
    return reverse(name, args=[household.public_id])


def person_urls(household, person):
    return [
        reverse(name, args=[household.public_id, person.public_id])
        for name in (
            "households:person_edit",
            "households:residential_situation_create",
            "households:member_remove",
            "households:member_move",
        )
    ]


def assessment_for(household, membership, section=Section.HEALTH):
    actor = actor_for(membership)
    assessment = actions.start_assessment(actor=actor, household=household, kind="social")
    return assessment, reverse(
        "households:assessment_section", args=[household.public_id, assessment.public_id, section]
    )


def client_seeing(client_as, role, household=None, code="35"):
    """A client for `role`; program roles get their program accompanying `household`."""
    client = client_as(role, code=code)
    if household is not None and client.membership.program_id:
        household.accompaniments.create(program=client.membership.program)
    return client


# --- guards ----------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client):
    household = household_with()
    person = household.head
    urls = [LIST, CREATE, file_url(household), file_url(household, "households:note_create")]
    urls.append(file_url(household, "households:composition_change"))
    urls.append(file_url(household, "households:contact_create"))
    urls += [file_url(household, "households:member_add"), *person_urls(household, person)]
    urls.append(reverse("households:member_set_head", args=[household.public_id, person.public_id]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_roles_without_household_data_are_refused(client_as, role):
    client = client_as(role)
    household = household_with()
    for url in (LIST, CREATE, file_url(household), *person_urls(household, household.head)):
        assert client.get(url).status_code == 403, url


def test_the_siao_administrator_reads_but_does_not_change(client_as):
    client = client_as(Role.SIAO_ADMIN)
    household = household_with()
    assert client.get(file_url(household)).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert client.get(file_url(household, "households:member_add")).status_code == 403
    assert client.get(person_urls(household, household.head)[0]).status_code == 403


@pytest.mark.parametrize("role", HOUSEHOLD_ROLES)
def test_a_household_out_of_the_perimeter_is_not_found(client_as, role):
    client = client_as(role)
    elsewhere = household_with(code="29", program=ProgramFactory(department=department("29")))
    other_program_here = household_with(program=ProgramFactory())
    assert client.get(file_url(elsewhere)).status_code == 404
    urls = [file_url(other_program_here)]
    if role in (Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER):
        for url in urls:
            assert client.get(url).status_code == 404
    else:
        assert client.get(urls[0]).status_code == 200
    assert (
        client.get(reverse("households:household_detail", args=["6f1c2c7e-0000-4000-8000-000000000000"])).status_code
        == 404
    )


def test_a_person_of_another_household_is_not_found_through_this_one(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    household, other = household_with(), household_with()
    for url in person_urls(household, other.head):
        assert client.get(url).status_code == 404


# --- list and search -------------------------------------------------------------------------


def test_the_list_shows_the_perimeter_most_recent_first(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_OPERATOR)
    old, recent = household_with(), household_with()
    household_with(code="29")
    Household.objects.filter(pk=old.pk).update(last_action_at=recent.last_action_at - datetime.timedelta(days=3))
    # session, user, memberships, départements, page, session saved (3): no COUNT
    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert list(response.context["page"]) == [recent, old]
    assert response.context["older"] is None


def test_the_list_pages_by_keyset_without_shifting(client_as, monkeypatch):
    from siao.households.views import files

    monkeypatch.setattr(files, "PAGE_SIZE", 2)
    client = client_as(Role.SIAO_OPERATOR)
    households = [household_with() for _ in range(5)]
    same_moment = households[0].last_action_at
    Household.objects.filter(pk__in=[h.pk for h in households]).update(last_action_at=same_moment)
    expected = sorted(households, key=lambda h: -h.pk)
    seen, cursor = [], ""
    for _ in range(3):
        response = client.get(LIST, {"avant": cursor} if cursor else {})
        seen += list(response.context["page"])
        cursor = response.context["older"]
        if cursor is None:
            break
    assert seen == expected
    assert client.get(LIST, {"avant": "n'importe quoi"}).status_code == 200


def test_the_list_search_is_tolerant_and_limited_to_the_perimeter(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    household = household_with(persons=[PersonFactory(last_name="Lefèvre", first_name="Émilie")])
    household_with(code="29", persons=[PersonFactory(last_name="Lefèvre", first_name="Émilie")])
    response = client.get(LIST, {"nom": "lefevre", "prenom": "emilie"})
    assert [(match.person, found) for match, found in response.context["results"]] == [(household.head, household)]
    assert file_url(household) in response.content.decode()
    response = client.get(LIST, {"naissance": "1985-04-12"})
    assert [match.person for match, _ in response.context["results"]] == [household.head]


# --- creation: search before create ----------------------------------------------------------

IDENTITY = {"last_name": "Exemple", "first_name": "Camille", "birth_date": "1990-05-01", "sex": "F"}


def test_creation_shows_the_likely_duplicates_then_needs_an_explicit_choice(client_as):
    client = client_as(Role.CALL_HANDLER)
    existing = household_with(
        persons=[PersonFactory(last_name="Exemple", first_name="Camile", birth_date=datetime.date(1990, 1, 5))]
    )
    response = client.post(CREATE, {**IDENTITY, "step": "search"})
    assert response.status_code == 200
    assert [match.person for match, _ in response.context["matches"]] == [existing.head]
    content = response.content.decode()
    assert "Aucune de ces personnes : créer un nouveau dossier" in content
    assert file_url(existing) in content
    # No choice made: nothing created.
    response = client.post(CREATE, {**IDENTITY, "step": "create"})
    assert response.status_code == 400
    assert "choice" in response.context["form"].errors
    assert Household.objects.count() == 1
    response = client.post(
        CREATE,
        {
            **IDENTITY,
            "step": "create",
            "choice": "new",
            "member-1-last_name": "Exemple",
            "member-1-first_name": "Alix",
            "member-1-birth_date": "2020-02-02",
            "member-1-sex": "M",
            "member-1-relationship": "child",
        },
    )
    created = Household.objects.latest("pk")
    assert response.status_code == 302 and response.url == file_url(created)
    assert created.head.first_name == "Camille" and created.member_count == 2
    assert created.composition.code == "single_woman_with_children"


def test_creation_with_an_existing_person_moves_them_with_history(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    person = PersonFactory(last_name="Exemple", first_name="Camille", birth_date=datetime.date(1990, 5, 1))
    old = household_with(persons=[PersonFactory(), person])
    response = client.post(CREATE, {**IDENTITY, "step": "create", "choice": str(person.public_id)})
    assert response.status_code == 302
    created = Household.objects.latest("pk")
    assert created.head == person
    assert HouseholdMember.objects.get(household=old, person=person).left_reason == "new_household"
    assert Person.objects.filter(last_name="Exemple").count() == 1


def test_a_future_birth_date_is_refused_on_the_first_step(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    response = client.post(CREATE, {**IDENTITY, "birth_date": "2999-01-01", "step": "search"})
    assert response.status_code == 400
    assert response.context["form"].errors["birth_date"] == ["La date de naissance ne peut pas être dans le futur."]
    assert not Person.objects.exists()


# --- the file page ---------------------------------------------------------------------------


def test_opening_the_file_is_audited_and_listed_in_its_consultations(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    household = household_with()
    client.get(file_url(household))
    response = client.get(file_url(household))
    event = AuditEvent.objects.filter(action="households.file_viewed").first()
    assert event.object_id == str(household.public_id) and event.actor_role == Role.SIAO_OPERATOR
    assert len(response.context["consultations"]) == 2
    assert client.membership.user.email in response.content.decode()
    household.refresh_from_db()
    assert not AuditEvent.objects.filter(action="households.file_viewed", data__has_key="name").exists()


def test_a_script_in_a_note_is_shown_escaped(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    household = household_with()
    response = client.post(
        file_url(household, "households:note_create"), {"text": "<script>alert(1)</script>\nligne 2"}
    )
    assert response.status_code == 302
    content = client.get(file_url(household)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>ligne 2" in content


def test_an_empty_note_is_refused_with_the_error_summary(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    household = household_with()
    response = client.post(file_url(household, "households:note_create"), {"text": "  "})
    assert response.status_code == 400
    assert "Le formulaire contient 1 erreur" in response.content.decode()
    assert not Note.objects.exists()


SENSITIVE_LABELS = {"nationalité": "administrative", "victime de violences": "violence", "mobilité réduite": "health"}


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.SIAO_ADMIN, set()),
        (Role.SIAO_OPERATOR, {"administrative", "violence", "health"}),
        (Role.CALL_HANDLER, {"violence", "health"}),
        (Role.PROGRAM_MANAGER, {"administrative", "violence", "health"}),
        (Role.SOCIAL_WORKER, {"administrative", "violence", "health"}),
    ],
)
def test_the_file_shows_sensitive_person_fields_only_where_readable(client_as, role, shown):
    household = household_with()
    client = client_seeing(client_as, role, household)
    content = client.get(file_url(household)).content.decode().lower()
    for label, section in SENSITIVE_LABELS.items():
        assert (f"{label} :" in content) is (section in shown), label


def test_sensitive_sections_are_listed_but_linked_only_when_readable(client_as):
    worker = membership_for(Role.SOCIAL_WORKER)
    household = household_with(program=worker.program)
    assessment, health_url = assessment_for(household, worker)
    client = client_as(Role.SIAO_ADMIN)
    content = client.get(file_url(household)).content.decode()
    assert "Santé" in content and health_url not in content
    assert client.get(health_url).status_code == 403
    family_url = health_url.replace("/health/", "/family/")
    assert family_url in content


def test_reading_a_sensitive_section_is_audited_on_the_household(client_as):
    worker = membership_for(Role.SOCIAL_WORKER)
    household = household_with(program=worker.program)
    assessment, health_url = assessment_for(household, worker)
    client = client_as(Role.SIAO_OPERATOR)
    assert client.get(health_url).status_code == 200
    assert client.get(health_url.replace("/health/", "/family/")).status_code == 200
    events = AuditEvent.objects.filter(action="households.section_viewed")
    assert [(e.object_id, e.data["section"]) for e in events] == [(str(household.public_id), "health")]
    content = client.get(file_url(household)).content.decode()
    assert "Rubrique « Santé »" in content


def test_a_section_is_saved_with_its_version_and_a_stale_form_is_refused(client_as):
    client = client_as(Role.SOCIAL_WORKER)
    household = household_with(program=client.membership.program)
    assessment, url = assessment_for(household, client.membership, Section.VIOLENCE)
    response = client.post(
        url, {"victim": "on", "violence_types": ["conjugal"], "text": "Suivi.", "expected_version": 0}
    )
    assert response.status_code == 302
    response = client.post(url, {"victim": "on", "text": "Autre.", "expected_version": 0})
    assert response.status_code == 400
    assert "modifiée par une autre personne" in response.content.decode()
    assert AssessmentSectionVersion.objects.count() == 1
    # The operator reads it, without a form.
    reader = client_as(Role.SIAO_OPERATOR)
    response = reader.get(url)
    assert response.context["form"] is None
    assert reader.post(url, {"text": "x", "expected_version": 1}).status_code == 403


def test_person_edit_offers_only_the_fields_of_the_role(client_as):
    household = household_with()
    client = client_as(Role.CALL_HANDLER)
    url = person_urls(household, household.head)[0]
    form = client.get(url).context["form"]
    assert "violence_victim" in form.fields and "nationality" not in form.fields
    response = client.post(
        url,
        {
            **{name: "" for name in form.fields if name != "resources"},
            "last_name": "Fictif",
            "first_name": household.head.first_name,
            "birth_date": "1985-04-12",
            "sex": "F",
            "family_situation": 1,
            "contract_type": 10,
            "social_security": 1,
            "violence_victim": "true",
            "nationality": "UE",  # not offered: ignored
        },
    )
    assert response.status_code == 302
    household.head.refresh_from_db()
    assert household.head.last_name == "Fictif" and household.head.violence_victim is True
    assert household.head.nationality == "NR"
    event = AuditEvent.objects.get(action="households.person_updated")
    assert sorted(event.data["fields"]) == ["last_name", "violence_victim"]


def test_member_pages_add_remove_and_move(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    household, other = household_with(), household_with()
    response = client.post(
        file_url(household, "households:member_add"),
        {
            "last_name": "Exemple",
            "first_name": "Alix",
            "birth_date": "2019-03-02",
            "sex": "M",
            "relationship": "child",
        },
    )
    assert response.status_code == 302
    child = household.members.get(relationship="child").person
    remove, move = person_urls(household, child)[2:]
    assert client.post(remove, {"left_reason": ""}).status_code == 400
    response = client.post(move, {"to_household": str(other.public_id), "relationship": "child"})
    assert response.status_code == 302 and response.url.startswith(file_url(other))
    assert HouseholdMember.objects.get(household=household, person=child).left_on is not None
    elsewhere = household_with(code="29")
    head_move = person_urls(other, child)[3]
    response = client.post(head_move, {"to_household": str(elsewhere.public_id), "relationship": "child"})
    assert response.status_code == 400
    assert "Aucun dossier de votre périmètre" in response.content.decode()


# --- query counts ----------------------------------------------------------------------------


def _grow(household, membership, n):
    actor = actor_for(membership)
    for i in range(n):
        actions.write_note(actor=actor, household=household, text=f"Transmission {i}")
        actions.add_member(
            actor=actor,
            household=household,
            relationship="child",
            identity={"last_name": "Exemple", "first_name": f"Enfant{i}", "birth_date": datetime.date(2015, 1, 1 + i)},
        )
        actions.record_residential_situation(actor=actor, person=household.head, situation=20)
    assessment = actions.start_assessment(actor=actor, household=household, kind="social")
    for i in range(n):
        actions.save_assessment_section(
            actor=actor,
            assessment=assessment,
            section=Section.FAMILY,
            data={"children_elsewhere": i + 1},
            text="",
            expected_version=i,
        )


# session (4), household, audit event (5), members, residential situations, assessments and
# their sections, accompaniments, consultations, journey (members, notes, versions, and the
# orientation's entries), notes, the compositions, the orientation's requests block, the rights requests
# ("Protection des données"), session saved (3).
FILE_PAGE_QUERIES = 32  # + the 115 (emergency requests, outreach encounters) in the journey, + the rights requests


@pytest.mark.parametrize("size", [1, 6])
def test_the_file_page_runs_a_fixed_number_of_queries(client_as, django_assert_num_queries, size):
    client = client_as(Role.SOCIAL_WORKER)
    household = household_with(program=client.membership.program)
    _grow(household, client.membership, size)
    with django_assert_num_queries(FILE_PAGE_QUERIES):
        response = client.get(file_url(household))
    assert response.status_code == 200


def test_the_list_search_runs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_OPERATOR)
    for _ in range(5):
        household_with(persons=[PersonFactory(last_name="Lefèvre", first_name="Émilie")])
    # session, user, memberships, départements; blocked candidates, their memberships, which
    # households the actor sees, the candidates to score; their households; session saved (3)
    with django_assert_num_queries(12):
        response = client.get(LIST, {"nom": "Lefevre", "prenom": "Emilie"})
    assert len(response.context["results"]) == 5


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("households:person_edit", 14),
        ("households:residential_situation_create", 9),
        ("households:member_remove", 9),
        ("households:member_move", 9),
    ],
)
def test_the_person_pages_run_a_fixed_number_of_queries(client_as, django_assert_num_queries, name, queries):
    client = client_as(Role.SOCIAL_WORKER)
    household = household_with(persons=[PersonFactory(), PersonFactory()], program=client.membership.program)
    person = household.members.exclude(person=household.head).get().person
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=[household.public_id, person.public_id])).status_code == 200


def test_the_other_pages_run_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    client = client_as(Role.SOCIAL_WORKER)
    household = household_with(program=client.membership.program)
    assessment, url = assessment_for(household, client.membership, Section.HEALTH)
    _grow(household, client.membership, 3)
    with django_assert_num_queries(7):
        assert client.get(CREATE).status_code == 200
    with django_assert_num_queries(8):
        assert client.get(file_url(household, "households:member_add")).status_code == 200
    # session (4), household, assessment, section, its versions, the audit event (5), session saved (3)
    with django_assert_num_queries(16):
        assert client.get(url).status_code == 200


def test_the_composition_can_be_corrected(client_as):
    client = client_as(Role.SIAO_OPERATOR)
    household = household_with()
    url = file_url(household, "households:composition_change")
    response = client.post(url, {"composition": "adult_group"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.composition.code == "adult_group"
    assert AuditEvent.objects.get(action="households.composition_changed").data == {
        "composition": "adult_group",
        "specific_publics": [],
        "changed": ["composition"],
    }
    response = client.post(url, {"composition": "nonsense"})
    assert response.status_code == 400
    assert "Le formulaire contient" in response.content.decode()
    household.refresh_from_db()
    assert household.composition.code == "adult_group"
    page = client.get(url)
    assert page.status_code == 200 and 'value="adult_group" selected' in page.content.decode()
    assert client_as(Role.SIAO_ADMIN).post(url, {"composition": "single_man"}).status_code == 403


def test_a_contact_is_recorded_from_the_file_and_shows_in_the_journey(client_as):
    from siao.households.models import Contact

    client = client_as(Role.SOCIAL_WORKER)
    household = household_with(program=client.membership.program)
    url = file_url(household, "households:contact_create")
    response = client.post(url, {"occurred_on": "2999-01-01", "channel": "phone"})
    assert response.status_code == 400
    assert "ne peut pas être dans le futur" in response.content.decode()
    assert not Contact.objects.exists()
    response = client.post(url, {"occurred_on": timezone.localdate().isoformat(), "channel": "interview"})
    assert response.status_code == 302
    assert "Contact avec le ménage : entretien" in client.get(file_url(household)).content.decode()
    assert client_as(Role.SIAO_ADMIN).post(url, {}).status_code == 403


def test_a_yes_no_question_not_asked_reads_not_filled_in(client_as):
    household = household_with()
    client = client_as(Role.SIAO_OPERATOR)
    content = client.get(file_url(household)).content.decode()
    assert "Victime de violences : Non renseigné" in content


def test_the_composition_and_contact_pages_are_guarded_and_cost_a_fixed_number_of_queries(
    client_as, django_assert_num_queries
):
    elsewhere = household_with(code="29")
    household = household_with()
    client = client_as(Role.SIAO_OPERATOR)
    for name in ("households:composition_change", "households:contact_create"):
        assert client.get(file_url(elsewhere, name)).status_code == 404
        assert client.post(file_url(elsewhere, name), {}).status_code == 404
    # session (4), household, its specific publics, compositions, specific publics, session saved (3)
    with django_assert_num_queries(11):
        assert client.get(file_url(household, "households:composition_change")).status_code == 200
    assert client_as(Role.ANALYST).get(file_url(household, "households:composition_change")).status_code == 403
    assert client_as(Role.ANALYST).post(file_url(household, "households:contact_create"), {}).status_code == 403


def test_opening_a_person_for_editing_is_a_recorded_consultation(client_as):
    """The form shows the person's data, sensitive fields included: it is a consultation of the
    file (its page named), and it does not move the retention clock."""
    from siao.audit.models import AuditEvent
    from siao.households.models import Household

    client = client_as(Role.SOCIAL_WORKER)
    household = household_with(persons=[PersonFactory(), PersonFactory()], program=client.membership.program)
    person = household.members.exclude(person=household.head).get().person
    before = Household.objects.get(pk=household.pk).last_action_at
    client.get(reverse("households:person_edit", args=[household.public_id, person.public_id]))
    event = AuditEvent.objects.get(action="households.file_viewed", object_id=str(household.public_id))
    assert event.data == {"page": "person", "object": str(person.public_id)}
    assert Household.objects.get(pk=household.pk).last_action_at == before
