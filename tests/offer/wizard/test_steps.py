"""Each step validates on the server, in French, and keeps nothing of a refused step; steps are
taken in order; a draft survives a reload; going back keeps later data."""

import pytest
from django.urls import reverse

from siao.accounts.enums import OrganizationKind, Role
from siao.offer.enums import ValidationStatus
from siao.offer.models import ProgramDraft
from tests.factories import OperatorFactory, default_organization, fake_siret, membership_for

from .conftest import full_data, make_draft

pytestmark = pytest.mark.django_db


def step_url(draft, step):
    return reverse("offer:wizard_step", args=[draft.public_id, step])


def html(response) -> str:
    content = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in content
    return content


def refused(client, draft, step, data, message):
    """Post bad data: the page answers with the message and the draft is unchanged."""
    before = ProgramDraft.objects.get(pk=draft.pk)
    response = client.post(step_url(draft, step), data)
    assert response.status_code == 200
    assert message in html(response)
    after = ProgramDraft.objects.get(pk=draft.pk)
    assert (after.data, after.completed_step) == (before.data, before.completed_step)


# --- order, reload, going back ------------------------------------------------------------------


def test_a_step_beyond_the_first_incomplete_one_is_refused(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=1, operator={"operator": str(operator.public_id)})
    for response in (client.get(step_url(draft, 4)), client.post(step_url(draft, 6))):
        assert response.url == step_url(draft, 2)
    page = html(client.get(step_url(draft, 2)))
    assert "Vous ne pouvez pas passer à l&#x27;étape 6 : terminez d&#x27;abord l&#x27;étape 2" in page
    assert ProgramDraft.objects.get().completed_step == 1
    assert client.post(step_url(draft, 3), {"funding_unit": "places", "total": "3"}).url == step_url(draft, 2)
    assert "funding" not in ProgramDraft.objects.get().data


def test_a_draft_survives_a_reload_and_is_listed_with_a_resume_link(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=2, **full_data(operator))
    page = html(client.get(step_url(draft, 2)))
    assert 'value="chrs" checked' in page
    start = html(client.get(reverse("offer:wizard_start")))
    assert "CHRS - Les Tilleuls" in start
    assert f'href="{step_url(draft, 3)}"' in start and "Reprendre" in start


def test_going_back_keeps_later_data(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=5, **full_data(operator))
    assert client.post(step_url(draft, 2), {"type": "non_chrs"}).url == step_url(draft, 3)
    draft.refresh_from_db()
    assert draft.data["nature"] == {"type": "non_chrs"}
    assert draft.data["general"]["name"] == "Les Tilleuls"
    assert draft.completed_step == 5
    assert 'value="Les Tilleuls"' in html(client.get(step_url(draft, 4)))


def test_the_stepper_says_where_the_user_is(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=2, **full_data(operator))
    page = html(client.get(step_url(draft, 3)))
    assert 'class="fr-stepper"' in page and 'data-fr-current-step="3"' in page
    assert "Étape 3 sur 6" in page
    assert "Étape suivante :</span> Informations générales du dispositif" in page
    assert "Hébergement | CHRS" in page
    assert f'href="{step_url(draft, 2)}"' in page  # Précédent
    assert reverse("offer:wizard_cancel", args=[draft.public_id]) in page


# --- step 1 ---------------------------------------------------------------------------------------


def test_step_1_searches_by_name_or_siren_with_the_count(client_as, siao_admin, operator):
    other = OperatorFactory(name="Foyer du Port")
    manager = membership_for(Role.OPERATOR_MANAGER, organization=operator, user__last_name="Mésange")
    OperatorFactory(name="Refusée", validation_status=ValidationStatus.REFUSED)
    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    page = html(client.get(step_url(draft, 1)))
    assert "Entités (2)" in page
    page = html(client.get(step_url(draft, 1), {"q": other.siren}))
    assert "Entités (1)" in page and "Foyer du Port" in page and "Les Tilleuls" not in page
    page = html(client.get(step_url(draft, 1), {"q": "tilleul"}))
    assert "Entités (1)" in page and manager.user.get_full_name() in page and "Rennes" in page


def test_step_1_lists_only_the_first_operators(client_as, siao_admin):
    for n in range(51):
        OperatorFactory(name=f"Entité {n:02d}")
    client = client_as(siao_admin)
    page = html(client.get(step_url(make_draft(siao_admin), 1)))
    assert "Entités (51)" in page
    assert page.count('name="operator"') == 50
    assert "affinez votre recherche" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Sélectionnez l&#x27;entité gestionnaire du dispositif dans la liste."),
        ({"operator": "pas-un-uuid"}, "Cette entité n&#x27;existe pas ou vous ne pouvez pas y créer de dispositif."),
    ],
)
def test_step_1_refuses_a_missing_or_malformed_operator(client_as, siao_admin, data, message):
    client = client_as(siao_admin)
    refused(client, make_draft(siao_admin), 1, data, message)


@pytest.mark.parametrize("status", [ValidationStatus.REFUSED])
def test_step_1_refuses_a_refused_or_inactive_operator(client_as, siao_admin, status):
    refused_operator = OperatorFactory(validation_status=status)
    inactive = OperatorFactory(is_active=False)
    client = client_as(siao_admin)
    draft = make_draft(siao_admin)
    for operator in (refused_operator, inactive):
        refused(client, draft, 1, {"operator": operator.public_id}, "vous ne pouvez pas y créer de dispositif")


@pytest.mark.parametrize("role", [Role.OPERATOR_MANAGER, Role.ASSISTANT])
def test_operator_roles_see_and_select_only_their_own_operator(client_as, role, operator):
    other = OperatorFactory(name="Une autre entité")
    client = client_as(role, organization=operator)
    draft = make_draft(client.membership)
    page = html(client.get(step_url(draft, 1)))
    assert "Entités (1)" in page and "Les Tilleuls" in page and "Une autre entité" not in page
    refused(client, draft, 1, {"operator": other.public_id}, "vous ne pouvez pas y créer de dispositif")
    assert client.post(step_url(draft, 1), {"operator": operator.public_id}).url == step_url(draft, 2)


# --- step 2 ---------------------------------------------------------------------------------------


def test_step_2_shows_radio_groups_by_category(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=1, operator={"operator": str(operator.public_id)})
    page = html(client.get(step_url(draft, 2)))
    assert page.count('type="radio" id="type-') == 29
    for category in ("Logement IML", "Premier accueil", "Mesures d&#x27;accompagnement"):
        assert f">{category}</legend>" in page


@pytest.mark.parametrize(
    "data, message",
    [({}, "Choisissez la nature du dispositif"), ({"type": "castle"}, "n&#x27;existe pas dans la nomenclature")],
)
def test_step_2_refuses_a_missing_or_unknown_type(client_as, siao_admin, operator, data, message):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=1, operator={"operator": str(operator.public_id)})
    refused(client, draft, 2, data, message)


# --- step 3 ---------------------------------------------------------------------------------------


def _at_step_3(siao_admin, operator, program_type="chrs"):
    data = full_data(operator, program_type)
    return make_draft(siao_admin, completed_step=2, operator=data["operator"], nature=data["nature"])


@pytest.mark.parametrize(
    "data, message",
    [
        ({"total": "10"}, "Choisissez l&#x27;unité du tableau « Financement »"),
        ({"funding_unit": "places"}, "Indiquez le total géré par le dispositif."),
        ({"funding_unit": "places", "total": "-1"}, "Saisissez un nombre positif ou nul."),
        ({"funding_unit": "places", "total": "dix"}, "Saisissez un nombre entier."),
        (
            {"funding_unit": "places", "p177": "8", "non_p177": "4", "total": "10"},
            "la somme des lignes financées (12)",
        ),
        ({"funding_unit": "places", "total": "10", "prefectoral_quota": "11"}, "ne peut pas dépasser le total géré"),
        (
            {"funding_unit": "places", "total": "10", "iml_plus": "2"},
            "ne concerne que les dispositifs de Logement IML",
        ),
    ],
)
def test_step_3_refuses_bad_funding(client_as, siao_admin, operator, data, message):
    client = client_as(siao_admin)
    refused(client, _at_step_3(siao_admin, operator), 3, data, message)


def test_step_3_shows_the_iml_plus_line_only_for_iml(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    assert 'name="iml_plus"' not in html(client.get(step_url(_at_step_3(siao_admin, operator), 3)))
    iml = _at_step_3(siao_admin, operator, "iml_subletting")
    assert 'name="iml_plus"' in html(client.get(step_url(iml, 3)))
    data = {"funding_unit": "dwellings", "p177": "3", "iml_plus": "2", "total": "5"}
    assert client.post(step_url(iml, 3), data).url == step_url(iml, 4)
    iml.refresh_from_db()
    assert iml.data["funding"] == {
        "funding_unit": "dwellings",
        "p177": 3,
        "non_p177": 0,
        "iml_plus": 2,
        "total": 5,
        "prefectoral_quota": 0,
    }


def test_step_3_of_a_first_reception_program_has_no_funding(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = _at_step_3(siao_admin, operator, "dna")
    page = html(client.get(step_url(draft, 3)))
    assert "n'a pas de tableau « Financement »" in page and 'name="total"' not in page
    refused(
        client, draft, 3, {"total": "4"}, "Un dispositif de Premier accueil n&#x27;a pas de tableau de financement."
    )
    assert client.post(step_url(draft, 3), {}).url == step_url(draft, 4)
    draft.refresh_from_db()
    assert draft.data["funding"] == {} and draft.completed_step == 3


# --- step 4 ---------------------------------------------------------------------------------------


def _at_step_4(membership, operator, program_type="chrs"):
    data = full_data(operator, program_type)
    return make_draft(membership, completed_step=3, **{k: data[k] for k in ("operator", "nature", "funding")})


def _general(operator, **overrides):
    data = {
        "name": "Les Tilleuls",
        "siret": fake_siret(operator.siren, 7),
        "department": "35",
        "orienting_siaos": [default_organization(OrganizationKind.SIAO, "35").public_id],
        "compositions": ["single_man"],
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": " "}, "Indiquez le nom du dispositif."),
        ({"siret": "12345678901234"}, "n&#x27;est pas valide : il compte 14 chiffres"),
        (
            {"siret": fake_siret("732829320", 1)},
            "Ce SIRET n&#x27;appartient pas à l&#x27;entité « Association Les Tilleuls »",
        ),
        ({"finess": "ABC"}, "Le numéro FINESS « ABC » n&#x27;est pas valide"),
        ({"department": ""}, "Choisissez le département d&#x27;implantation du dispositif."),
        ({"department": "29"}, "Vous ne pouvez pas créer de dispositif dans ce département."),
        ({"orienting_siaos": []}, "Choisissez au moins un SIAO pouvant orienter sur ce dispositif."),
        ({"orienting_siaos": ["nimporte"]}, "Ce SIAO n&#x27;existe pas ou n&#x27;est pas proposé"),
        ({"compositions": ["dragons"]}, "Ce public n&#x27;existe pas."),
    ],
)
def test_step_4_refuses_bad_identification(client_as, siao_admin, operator, overrides, message):
    client = client_as(siao_admin)
    refused(client, _at_step_4(siao_admin, operator), 4, _general(operator, **overrides), message)


def test_step_4_stores_the_name_without_repeating_the_type(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = _at_step_4(siao_admin, operator)
    page = html(client.get(step_url(draft, 4)))
    assert "Nomenclature : Type de dispositif - Nom du dispositif" in page
    siret = fake_siret(operator.siren, 7)
    data = _general(operator, name="CHRS -  Les  Tilleuls", siret=f"{siret[:3]} {siret[3:]}", finess="35 0000001")
    assert client.post(step_url(draft, 4), data).url == step_url(draft, 5)
    draft.refresh_from_db()
    assert draft.data["general"]["name"] == "Les Tilleuls"
    assert draft.data["general"]["siret"] == siret
    assert draft.data["general"]["finess"] == "350000001"


def test_step_4_offers_no_siao_for_first_reception(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = _at_step_4(siao_admin, operator, "dna")
    page = html(client.get(step_url(draft, 4)))
    assert 'name="orienting_siaos"' not in page
    refused(client, draft, 4, _general(operator), "Le SIAO n&#x27;oriente pas vers un dispositif de Premier accueil")
    assert client.post(step_url(draft, 4), _general(operator, orienting_siaos=[])).url == step_url(draft, 5)


def test_step_4_needs_the_siao_covering_the_departement(client_as, operator):
    client = client_as(Role.NATIONAL_ADMIN)
    draft = _at_step_4(client.membership, operator)
    other_siao = default_organization(OrganizationKind.SIAO, "29")
    refused(
        client,
        draft,
        4,
        _general(operator, orienting_siaos=[other_siao.public_id]),
        "Choisissez au moins le SIAO qui couvre",
    )


def test_step_4_limits_departements_to_the_operators_for_operator_roles(client_as, operator):
    operator.departments.add(*operator.departments.model.objects.filter(code="56"))
    client = client_as(Role.OPERATOR_MANAGER, organization=operator)
    draft = _at_step_4(client.membership, operator)
    page = html(client.get(step_url(draft, 4)))
    assert 'value="35"' in page and 'value="56"' in page and 'value="29"' not in page
    refused(
        client,
        draft,
        4,
        _general(operator, department="29"),
        "Vous ne pouvez pas créer de dispositif dans ce département.",
    )


# --- step 5 ---------------------------------------------------------------------------------------


def _at_step_5(membership, operator):
    data = full_data(operator)
    data.pop("complements")
    return make_draft(membership, completed_step=4, **data)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"insee_code": "3523"}, "n&#x27;est pas un code INSEE de commune valide"),
        ({"insee_code": "35999"}, "Aucune commune ne porte le code INSEE « 35999 »."),
        ({"insee_code": "29019"}, "n&#x27;est pas dans le département d&#x27;implantation"),
        (
            {"insee_code": "35238", "postal_code": "29200"},
            "Le code postal 29200 ne correspond pas à la commune Rennes",
        ),
        ({"postal_code": "3500"}, "Le code postal compte 5 chiffres."),
        ({"contact_phone": "abc"}, "Saisissez un numéro de téléphone valide"),
        ({"contact_email": "pas-une-adresse"}, "Saisissez une adresse électronique valide"),
        ({"starts_on": "2025-02-01", "ends_on": "2025-01-01"}, "La date de fin doit être postérieure"),
        ({"starts_on": "32/13/2025"}, "Saisissez une date valide"),
    ],
)
def test_step_5_refuses_bad_complements(client_as, siao_admin, operator, data, message):
    client = client_as(siao_admin)
    refused(client, _at_step_5(siao_admin, operator), 5, data, message)


def test_step_5_is_optional_and_shows_the_operators_managers(client_as, siao_admin, operator):
    manager = membership_for(Role.OPERATOR_MANAGER, organization=operator, user__last_name="Mésange")
    client = client_as(siao_admin)
    draft = _at_step_5(siao_admin, operator)
    page = html(client.get(step_url(draft, 5)))
    assert manager.user.email in page and "Responsable de dispositif" in page
    assert client.post(step_url(draft, 5), {}).url == step_url(draft, 6)
    draft.refresh_from_db()
    assert draft.data["complements"]["cancel_non_smo_authorizations"] == "no"
    assert draft.completed_step == 5


# --- cancel -----------------------------------------------------------------------------------------


def test_cancel_asks_then_deletes_the_draft(client_as, siao_admin, operator):
    client = client_as(siao_admin)
    draft = make_draft(siao_admin, completed_step=2, **full_data(operator))
    url = reverse("offer:wizard_cancel", args=[draft.public_id])
    assert "Supprimer le brouillon" in html(client.get(url))
    assert ProgramDraft.objects.exists()
    assert client.post(url).url == reverse("offer:wizard_start")
    assert not ProgramDraft.objects.exists()
