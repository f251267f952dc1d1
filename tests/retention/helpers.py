"""Files for the retention tests: a full file (request, referral, stay ended, assessment,
note, contact, a 115 request with its call) built through the actions, and the time travel."""

import datetime

from django.utils import timezone

from siao.accounts.enums import Role
from siao.emergency import actions as emergency_actions
from siao.emergency.enums import CallerType, SleepingPlace
from siao.households import actions as household_actions
from siao.households.models import Household
from siao.orientation import actions
from siao.retention.purge import months_before
from tests.factories import actor_for, household_with, membership_for
from tests.orientation.helpers import DESTINATION, World, days_ago


def full_file(world: World | None = None):
    """A household whose file holds a bit of everything; returns (world, household)."""
    world = world or World.build(places=3)
    referral = world.accepted()
    stay = actions.admit(actor=world.manager, referral=referral, place=world.places()[0], started_on=days_ago(0))
    actions.end_stay(
        actor=world.manager, stay=stay, ended_on=days_ago(0), exit_reason="other", exit_destination=DESTINATION
    )
    household = world.household
    household_actions.write_note(actor=world.prescriber, household=household, text="Transmission fictive de test.")
    household_actions.record_contact(
        actor=world.prescriber, household=household, occurred_on=days_ago(0), channel="phone"
    )
    household_actions.start_assessment(actor=world.prescriber, household=household, kind="social")
    handler = actor_for(membership_for(Role.CALL_HANDLER))
    call = emergency_actions.log_call(actor=handler, caller_type=CallerType.PERSON)
    call = emergency_actions.attach_household(actor=handler, call=call, household=household)
    emergency_actions.create_emergency_request(actor=handler, call=call, sleeping_place=SleepingPlace.STREET)
    return world, household


def simple_file(**kwargs):
    return household_with(**kwargs)


def age(household, *, months: int = 0, days: int = 0, now=None):
    """Move the file's last action `months` calendar months and `days` days back from `now`."""
    now = now or timezone.now()
    when = months_before(now, months) - datetime.timedelta(days=days)
    Household.objects.filter(pk=household.pk).update(last_action_at=when)
    return when


def later(months: int) -> datetime.datetime:
    """A moment `months` months from now (the run's `now` in time travel)."""
    return timezone.now() + datetime.timedelta(days=31 * months)
