"""A small world for the 115 tests: the SIAO of 35 with a call handler, an emergency shelter
(CHU) with a group of emergency places and its responsable, an outreach team (Maraude) and a
household held by the SIAO; and the steps of a call, through the actions."""

from dataclasses import dataclass

from siao.accounts.enums import Role
from siao.emergency import actions
from siao.emergency.enums import CallerType, SleepingPlace
from siao.offer.enums import PlaceCategory, PlaceType, ProgramType
from tests.factories import PlaceGroupFactory, ProgramFactory, actor_for, household_with, membership_for

__all__ = ["EmergencyWorld", "actor_for"]


@dataclass
class EmergencyWorld:
    shelter: object
    group: object
    household: object
    handler_membership: object
    manager_membership: object
    outreach: object
    outreach_membership: object

    @classmethod
    def build(cls, *, places=2, composition="single_woman", children=0, place_type=PlaceType.EMERGENCY):
        shelter = ProgramFactory(name="Hors CHRS - CHU Les Mouettes", type=ProgramType.NON_CHRS)
        group = PlaceGroupFactory(
            program=shelter,
            name="Urgence hommes et femmes",
            place_type=place_type,
            place_category=PlaceCategory.SHARED_ROOM,
            capacity=places,
            address="3 rue des Mouettes",
            postal_code="35000",
            city="Rennes",
        )
        outreach = ProgramFactory(name="Maraude - Équipe de nuit", type=ProgramType.OUTREACH)
        return cls(
            shelter=shelter,
            group=group,
            household=household_with(composition=composition, children=children),
            handler_membership=membership_for(Role.CALL_HANDLER),
            manager_membership=membership_for(Role.PROGRAM_MANAGER, organization=shelter.operator, program=shelter),
            outreach=outreach,
            outreach_membership=membership_for(Role.SOCIAL_WORKER, organization=outreach.operator, program=outreach),
        )

    @property
    def handler(self):
        return actor_for(self.handler_membership)

    @property
    def manager(self):
        return actor_for(self.manager_membership)

    @property
    def outreach_worker(self):
        return actor_for(self.outreach_membership)

    # The steps of a call ------------------------------------------------------------------

    def call(self, actor=None, household=None):
        actor = actor or self.handler
        call = actions.log_call(actor=actor, caller_type=CallerType.PERSON)
        return actions.attach_household(actor=actor, call=call, household=household or self.household)

    def request(self, actor=None, household=None, **kwargs):
        actor = actor or self.handler
        call = self.call(actor, household)
        return actions.create_emergency_request(
            actor=actor, call=call, sleeping_place=kwargs.pop("sleeping_place", SleepingPlace.STREET), **kwargs
        )

    def oriented(self, actor=None, **kwargs):
        actor = actor or self.handler
        emergency_request = self.request(actor, **kwargs)
        return actions.orient_emergency_request(
            actor=actor, emergency_request=emergency_request, place_group=self.group
        )

    def sheltered(self, **kwargs):
        emergency_request = self.oriented(**kwargs)
        actions.confirm_arrival(actor=self.manager, emergency_request=emergency_request)
        emergency_request.refresh_from_db()
        return emergency_request
