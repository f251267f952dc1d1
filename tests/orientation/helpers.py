"""A small world for the orientation tests: a prescriber's program (département 35) and its
social worker, the SIAO of 35, a target CHRS with places and its responsable, a household
accompanied by the prescriber; and the lifecycle steps, through the actions."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from siao.accounts.enums import Role
from siao.households.enums import ExitDestination, HousingSituation, RequestReason
from siao.offer.enums import ProgramType
from siao.orientation import actions
from tests.factories import PlaceGroupFactory, ProgramFactory, household_with, membership_for
from tests.offer.programs.helpers import actions_recorded, actor_for

REASON = RequestReason.values[0]
SITUATION = HousingSituation.values[0]
DESTINATION = ExitDestination.values[0]

__all__ = ["DESTINATION", "REASON", "SITUATION", "World", "actions_recorded", "actor_for", "program_role"]


def program_role(program, role=Role.PROGRAM_MANAGER):
    return membership_for(role, organization=program.operator, program=program)


@dataclass
class World:
    origin: object
    target: object
    household: object
    prescriber_membership: object
    siao_membership: object
    manager_membership: object

    @classmethod
    def build(cls, *, places=1, composition="single_woman", **target_kwargs):
        origin = ProgramFactory(name="Service social - Test", type=ProgramType.SOCIAL_SECTOR)
        target = ProgramFactory(name="CHRS - Les Tilleuls", **target_kwargs)
        if places:
            PlaceGroupFactory(program=target, capacity=places)
        return cls(
            origin=origin,
            target=target,
            household=household_with(program=origin, composition=composition),
            prescriber_membership=program_role(origin, Role.SOCIAL_WORKER),
            siao_membership=membership_for(Role.SIAO_OPERATOR),
            manager_membership=program_role(target),
        )

    @property
    def prescriber(self):
        return actor_for(self.prescriber_membership)

    @property
    def siao(self):
        return actor_for(self.siao_membership)

    @property
    def manager(self):
        return actor_for(self.manager_membership)

    def places(self):
        from siao.offer.models import Place

        return list(Place.objects.filter(place_group__program=self.target).order_by("pk"))

    # -- the lifecycle, step by step --------------------------------------------------------

    def draft(self, **kwargs):
        data = {"reason": REASON, "housing_situation": SITUATION, "recommendations": [ProgramType.CHRS]}
        return actions.create_request(actor=self.prescriber, household=self.household, **{**data, **kwargs})

    def transmitted(self, **kwargs):
        return actions.transmit_request(actor=self.prescriber, request=self.draft(**kwargs))

    def waiting(self, **kwargs):
        return actions.mark_request_complete(actor=self.siao, request=self.transmitted(**kwargs))

    def oriented(self, **kwargs):
        request = self.waiting(**kwargs)
        (referral,) = actions.orient_request(actor=self.siao, request=request, programs=[self.target])
        return referral

    def accepted(self, **kwargs):
        return actions.decide_referral(actor=self.manager, referral=self.oriented(**kwargs), accept=True)

    def admitted(self, **kwargs):
        referral = self.accepted(**kwargs)
        place = next(place for place in self.places() if place.state == "available")
        return actions.admit(actor=self.manager, referral=referral, place=place, started_on=timezone.localdate())


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
