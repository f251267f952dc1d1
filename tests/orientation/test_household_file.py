"""What the orientation gives the household file: the requests block (requests visible to the
actor, their referrals and stays, the buttons of the role) and the journey entries, each in a
fixed number of queries."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from siao.accounts.enums import Role
from siao.orientation import actions
from tests.factories import ProgramFactory, membership_for

from .helpers import DESTINATION, World, actor_for, days_ago

pytestmark = pytest.mark.django_db


def block(household, actor) -> str:
    return render_to_string("households/_requests_block.html", {"household": household, "actor": actor})


def test_the_block_lists_the_requests_with_referrals_and_stays(django_assert_num_queries):
    world = World.build()
    stay = world.admitted(comment="<script>x</script>")
    draft = world.draft()
    prescriber = world.prescriber
    with django_assert_num_queries(4):  # requests, recommendations, referrals, stays
        content = block(world.household, prescriber)
    assert reverse("orientation:request_detail", args=[stay.request.public_id]) in content
    assert reverse("orientation:request_detail", args=[draft.public_id]) in content
    assert "Orientation vers « CHRS - Les Tilleuls »" in content and "admission" in content
    assert "Prise en charge à « CHRS - Les Tilleuls »" in content
    assert "Nouvelle demande d'insertion" in content
    assert reverse("orientation:request_transmit", args=[draft.public_id]) in content
    assert "<script>" not in content


def test_the_block_costs_the_same_with_more_requests(django_assert_num_queries):
    world = World.build()
    for _ in range(3):
        world.oriented()
    siao = world.siao
    with django_assert_num_queries(4):
        content = block(world.household, siao)
    assert content.count("Orientation vers") == 3


def test_the_siao_does_not_see_the_prescriber_drafts_nor_create_for_other_roles():
    world = World.build()
    draft = world.draft()
    content = block(world.household, world.siao)
    assert reverse("orientation:request_detail", args=[draft.public_id]) not in content
    assert "Aucune demande pour ce ménage." in content
    siao_admin = actor_for(membership_for(Role.SIAO_ADMIN))
    assert "Nouvelle demande d'insertion" not in block(world.household, siao_admin)


def test_the_program_manager_is_offered_the_direct_admission_and_its_referral():
    world = World.build()
    referral = world.oriented()
    content = block(world.household, world.manager)
    assert reverse("orientation:direct_admission", args=[world.household.public_id]) in content
    assert reverse("orientation:referral_detail", args=[referral.public_id]) in content
    assert reverse("orientation:referral_household_refusal", args=[referral.public_id]) in content
    # The prescriber (Premier accueil) admits nobody.
    assert "Admission directe" not in block(world.household, world.prescriber)


# --- the journey --------------------------------------------------------------------------------


def test_the_journey_tells_the_lifecycle_latest_first(django_assert_num_queries):
    from siao.orientation.journey import journey_entries

    world = World.build()
    stay = world.admitted()
    other = ProgramFactory(name="CHRS - Autre")
    actions.end_stay(
        actor=world.manager, stay=stay, ended_on=days_ago(0), exit_reason="death", exit_destination=DESTINATION
    )
    siao = world.siao
    with django_assert_num_queries(3):
        entries = journey_entries(world.household, siao)
    kinds = [entry["kind"] for entry in entries]
    assert set(kinds) == {"request", "referral", "decision", "stay_start", "stay_end"}
    assert kinds.count("request") == 6  # created, transmitted, waiting, oriented, admitted, closed
    assert all(entry["at"].tzinfo is not None for entry in entries)
    assert [entry["at"] for entry in entries] == sorted((entry["at"] for entry in entries), reverse=True)
    labels = {entry["label"] for entry in entries}
    assert {"Demande créée", "Orientation proposée par le SIAO", "Orientation acceptée par le dispositif"} <= labels
    assert {"Admission", "Sortie du dispositif", "Demande : clôturée"} <= labels
    url = reverse("orientation:request_detail", args=[stay.request.public_id])
    assert {entry["url"] for entry in entries} == {url}
    assert not any("Décès" in entry["detail"] or "Décès" in entry["label"] for entry in entries)
    assert other.name not in str(entries)


def test_the_journey_costs_three_queries_whatever_the_history(django_assert_num_queries):
    from siao.orientation import actions
    from siao.orientation.enums import ExitReason
    from siao.orientation.journey import journey_entries

    from .helpers import DESTINATION

    world = World.build(places=3)
    for _ in range(3):  # three successive stays: each ends before the next admission
        stay = world.admitted()
        actions.end_stay(
            actor=world.manager,
            stay=stay,
            ended_on=stay.started_on,
            exit_reason=ExitReason.REORIENTATION,
            exit_destination=DESTINATION,
        )
    prescriber = world.prescriber
    with django_assert_num_queries(3):
        entries = journey_entries(world.household, prescriber)
    kinds = [entry["kind"] for entry in entries]
    assert (kinds.count("stay_start"), kinds.count("stay_end")) == (3, 3)


def test_the_journey_shows_only_the_requests_the_actor_sees():
    from siao.orientation.journey import journey_entries

    world = World.build()
    world.draft()
    assert journey_entries(world.household, world.siao) == []
    assert [entry["label"] for entry in journey_entries(world.household, world.prescriber)] == ["Demande créée"]
    assert journey_entries(world.household, actor_for(membership_for(Role.PROGRAM_MANAGER))) == []
