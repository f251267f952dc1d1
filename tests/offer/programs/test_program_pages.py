"""The program list and detail pages: perimeter, filters, what the detail shows, and a cost
in queries that does not grow with the number of programs, place groups and places."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from siao.accounts.enums import Role
from siao.offer.enums import FundingUnit, PlaceState, ProgramType, PublicKind, ValidationStatus
from siao.offer.models import Place, Program, Provision, Public, SupportMeasure
from tests.factories import OperatorFactory, PlaceGroupFactory, ProgramFactory, UserFactory, department, membership_for

pytestmark = pytest.mark.django_db

LIST = reverse("offer:program_list")


def detail_url(program) -> str:
    return reverse("offer:program_detail", args=[program.public_id])


def listed(client, **params) -> set:
    return set(client.get(LIST, params).context["page"].object_list)


# --- guards ----------------------------------------------------------------------------------


def test_the_program_pages_send_anonymous_users_to_login(client):
    for url in (LIST, detail_url(ProgramFactory())):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_analysts_see_no_program(client_as):
    client = client_as(Role.ANALYST)
    assert client.get(LIST).status_code == 403
    assert client.get(detail_url(ProgramFactory())).status_code == 403


@pytest.mark.parametrize(
    "role", [Role.SIAO_ADMIN, Role.DEPARTMENT_ADMIN, Role.CALL_HANDLER, Role.OPERATOR_MANAGER, Role.PROGRAM_MANAGER]
)
def test_a_program_out_of_the_perimeter_is_not_found(client_as, role):
    client = client_as(role)
    elsewhere = ProgramFactory(department=department("29"))
    other_operator_here = ProgramFactory()
    assert client.get(detail_url(elsewhere)).status_code == 404
    if role in (Role.OPERATOR_MANAGER, Role.PROGRAM_MANAGER):
        assert client.get(detail_url(other_operator_here)).status_code == 404
    else:
        assert client.get(detail_url(other_operator_here)).status_code == 200


def test_an_unknown_program_is_not_found(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    assert (
        client.get(reverse("offer:program_detail", args=["6f1c2c7e-0000-4000-8000-000000000000"])).status_code == 404
    )


# --- list ------------------------------------------------------------------------------------


def test_each_role_lists_its_perimeter(client_as):
    here, elsewhere = ProgramFactory(), ProgramFactory(department=department("29"))
    assert listed(client_as(Role.SIAO_ADMIN)) == {here}
    assert listed(client_as(Role.NATIONAL_ADMIN)) == {here, elsewhere}
    manager = client_as(Role.OPERATOR_MANAGER)
    own = ProgramFactory(operator=manager.membership.organization)
    assert listed(manager) == {own}
    program_manager = client_as(Role.PROGRAM_MANAGER)
    assert listed(program_manager) == {program_manager.membership.program}


def test_the_list_filters_by_departement_category_status_and_text(client_as):
    client = client_as(Role.NATIONAL_ADMIN)
    chrs = ProgramFactory(name="CHRS - Les Tilleuls")
    hotel = ProgramFactory(type=ProgramType.HOTEL, name="Hôtel - Le Relais", department=department("29"))
    submitted = ProgramFactory(name="CHRS - Les Ormes", validation_status=ValidationStatus.SUBMITTED)
    assert listed(client, departement="29") == {hotel}
    assert listed(client, departement="35") == {chrs, submitted}
    assert listed(client, categorie="shelter") == {chrs, hotel, submitted}
    assert listed(client, categorie="iml") == set()
    assert listed(client, statut="submitted") == {submitted}
    assert listed(client, q="tilleuls") == {chrs}
    assert listed(client, q=hotel.siret[:12]) == {hotel}
    assert listed(client, statut="nope", categorie="nope", departement="nope") == {chrs, hotel, submitted}


def test_the_departement_filter_stays_within_the_perimeter(client_as):
    client = client_as(Role.SIAO_ADMIN)
    here = ProgramFactory()
    ProgramFactory(department=department("29"))
    response = client.get(LIST, {"departement": "29"})
    assert set(response.context["page"].object_list) == {here}  # ignored, not widened
    assert [d.code for d in response.context["departments"]] == ["35"]


def test_the_list_shows_capacities(client_as):
    client = client_as(Role.SIAO_ADMIN)
    program = ProgramFactory(total_managed=12)
    group = PlaceGroupFactory(program=program, capacity=4)
    Place.objects.filter(place_group=group, label__in=["Place 1", "Place 2"]).update(state=PlaceState.OCCUPIED)
    row = client.get(LIST).context["page"].object_list[0]
    assert (row.total_managed, row.created_places, row.available_places) == (12, 4, 2)


def test_the_list_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    client = client_as(Role.SIAO_ADMIN)
    PlaceGroupFactory()
    # session, user, memberships, départements; départements of the filter; count, rows; session save (3)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get(LIST).context["page"].object_list) == 1
    for _ in range(6):
        PlaceGroupFactory(program=ProgramFactory(operator=OperatorFactory()))
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get(LIST, {"q": "CHRS"}).context["page"].object_list) == 7


LIST_QUERIES = 10


# --- detail ----------------------------------------------------------------------------------


def full_program(**kwargs) -> Program:
    requester, prevalidator, validator = UserFactory(), UserFactory(), UserFactory()
    now = timezone.now()
    program = ProgramFactory(
        type=ProgramType.IML_SUBLETTING,
        name="Location – Sous location - Toit commun",
        funding_unit=FundingUnit.DWELLINGS,
        funded_p177=5,
        funded_non_p177=2,
        funded_iml_plus=3,
        total_managed=12,
        prefectoral_quota=4,
        address="3 rue des Lilas",
        postal_code="35000",
        city="Rennes",
        contact_email="contact@toit-test.example",
        crod_coverage=True,
        submitted_by=requester,
        submitted_at=now,
        prevalidated_by=prevalidator,
        prevalidated_at=now,
        validated_by=validator,
        validated_at=now,
        **kwargs,
    )
    program.publics.set(Public.objects.filter(kind=PublicKind.COMPOSITION)[:2])
    return program


def test_the_detail_shows_the_whole_program(client_as):
    program = full_program()
    group = PlaceGroupFactory(program=program, name="Appartements du centre", capacity=2)
    SupportMeasure.objects.create(program=program, kind="avdl", capacity=7)
    Provision.objects.create(program=program, kind="meal", description="Le soir")
    content = client_as(Role.SIAO_ADMIN).get(detail_url(program)).content.decode()
    for text in (
        "Location – Sous location - Toit commun",
        "Unité du tableau Financement : Nombre de logements",
        "Financées « IML+ »",
        "Dont contingent préfectoral",
        "3 rue des Lilas",
        "Couverture CROD : oui",
        "Pré-validé par",
        "Validé par",
        group.name,
        "Place 2",
        "AVDL : 7 mesures",
        "Repas — Le soir",
    ):
        assert text in content, text
    assert program.publics.first().label in content


def test_the_detail_shows_only_the_funding_lines_of_the_category(client_as):
    content = client_as(Role.SIAO_ADMIN).get(detail_url(ProgramFactory())).content.decode()
    assert "Financées P177" in content and "IML+" not in content


def test_a_refused_program_shows_its_reason(client_as):
    program = ProgramFactory(
        validation_status=ValidationStatus.REFUSED,
        refused_by=UserFactory(),
        refused_at=timezone.now(),
        refusal_reason="Doublon du CHRS existant.",
    )
    content = client_as(Role.SIAO_ADMIN).get(detail_url(program)).content.decode()
    assert "Refusé par" in content and "Doublon du CHRS existant." in content


def test_a_first_reception_program_shows_no_offer(client_as):
    program = ProgramFactory(type=ProgramType.DNA, funded_p177=0, total_managed=0)
    client = client_as(Role.OPERATOR_MANAGER, organization=program.operator)
    content = client.get(detail_url(program)).content.decode()
    assert "Premier accueil : ni places, ni mesures, ni prestations" in content
    assert "Groupes de places" not in content and "Financement" not in content


def test_the_detail_offers_the_actions_of_the_role(client_as):
    program = ProgramFactory()
    manager = client_as(Role.OPERATOR_MANAGER, organization=program.operator)
    content = manager.get(detail_url(program)).content.decode()
    assert "Créer un groupe de places" in content and "Ajouter une mesure" in content
    assert "Valider</button>" not in content
    content = client_as(Role.SIAO_ADMIN).get(detail_url(program)).content.decode()
    assert "Créer un groupe de places" not in content and "Refuser" not in content


def test_the_detail_pages_have_no_inline_style_or_script(client_as):
    program = ProgramFactory()
    PlaceGroupFactory(program=program)
    client = client_as(Role.OPERATOR_MANAGER, organization=program.operator)
    for url in (LIST, detail_url(program), reverse("offer:place_group_create", args=[program.public_id])):
        content = client.get(url).content.decode()
        assert "style=" not in content
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", content)


def test_every_place_state_field_has_its_label(client_as):
    program = ProgramFactory()
    PlaceGroupFactory(program=program, capacity=2)
    content = client_as(Role.OPERATOR_MANAGER, organization=program.operator).get(detail_url(program)).content.decode()
    ids = re.findall(r'<(?:select|input) class="fr-(?:select|input)"[^>]* id="([^"]+)"', content)
    assert len(ids) == 6
    for field_id in ids:
        assert f'for="{field_id}"' in content


def test_the_detail_costs_a_fixed_number_of_queries(client_as, django_assert_num_queries):
    program = full_program()
    client = client_as(Role.OPERATOR_MANAGER, organization=program.operator)
    PlaceGroupFactory(program=program, capacity=1)
    # session, user, memberships, départements; program; publics, SIAOs, groups, their publics,
    # their places, measures, provisions; deciders; gestionnaires and responsables; session save (3)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail_url(program))
    for _ in range(5):
        group = PlaceGroupFactory(program=program, capacity=6)
        group.publics.set(Public.objects.all()[:3])
        SupportMeasure.objects.create(program=program, kind="asll")
        Provision.objects.create(program=program, kind="shower")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(detail_url(program))
    assert len(response.context["groups"]) == 6


DETAIL_QUERIES = 17


def test_the_detail_names_the_gestionnaires_and_the_responsable(client_as):
    client = client_as(Role.SIAO_ADMIN)
    program = ProgramFactory()
    manager = membership_for(Role.OPERATOR_MANAGER, organization=program.operator)
    responsable = membership_for(Role.PROGRAM_MANAGER, organization=program.operator, program=program)
    other_program_responsable = membership_for(Role.PROGRAM_MANAGER, organization=program.operator)
    content = client.get(reverse("offer:program_detail", args=[program.public_id])).content.decode()
    assert manager.user.email in content and responsable.user.email in content
    assert other_program_responsable.user.email not in content
