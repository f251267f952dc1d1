"""Fake national-size data: operators in every département, users with memberships, and a
long, valid audit chain. Idempotent: generates only what is missing."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization, User
from siao.audit.models import AuditChainHead, AuditEvent
from siao.audit.trail import compute_hash
from siao.geo.models import Department
from siao.offer.models import Program
from tests.factories import fake_siren

BATCH = 5000
SIAO_ROLES = [Role.SIAO_ADMIN, Role.SIAO_OPERATOR, Role.CALL_HANDLER]
OPERATOR_ROLES = [Role.OPERATOR_MANAGER, Role.ASSISTANT, Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER]


def generate(*, users: int, events: int) -> dict:
    rng = random.Random(42)
    with transaction.atomic():
        _operators_and_programs(rng)
        _users_and_memberships(rng, users)
    _audit_events(rng, events)
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "organizations": Organization.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def _operators_and_programs(rng, per_department=20, programs_per_operator=5):
    if Organization.objects.filter(kind=OrganizationKind.OPERATOR).exists():
        return
    departments = list(Department.objects.all())
    operators = [
        Organization(kind=OrganizationKind.OPERATOR, name=f"Association Bench {i}", siren=fake_siren(i))
        for i in range(len(departments) * per_department)
    ]
    Organization.objects.bulk_create(operators, batch_size=BATCH)
    through = Organization.departments.through
    links, programs = [], []
    for i, operator in enumerate(operators):
        department = departments[i // per_department]
        links.append(through(organization_id=operator.pk, department_id=department.pk))
        programs += [
            Program(operator=operator, name=f"CHRS - Bench {i}-{j}", department=department)
            for j in range(programs_per_operator)
        ]
    through.objects.bulk_create(links, batch_size=BATCH)
    Program.objects.bulk_create(programs, batch_size=BATCH)


def _users_and_memberships(rng, count):
    existing = User.objects.count()
    if existing >= count:
        return
    siaos = list(Organization.objects.filter(kind=OrganizationKind.SIAO))
    ddets = list(Organization.objects.filter(kind=OrganizationKind.STATE_DEPARTMENT))
    programs = list(Program.objects.select_related("operator").all())
    now = timezone.now()
    new_users = [
        User(email=f"agent{i}@bench-structure.example", first_name=f"Prénom{i}", last_name=f"Bench{i}")
        for i in range(existing, count)
    ]
    for user in new_users:
        user.set_unusable_password()
    User.objects.bulk_create(new_users, batch_size=BATCH)
    memberships = []
    for user in new_users:
        draw = rng.random()
        reviewed = now - datetime.timedelta(days=rng.randint(0, 400))
        if draw < 0.25:
            memberships.append(
                Membership(
                    user=user, organization=rng.choice(siaos), role=rng.choice(SIAO_ROLES), last_reviewed_at=reviewed
                )
            )
        elif draw < 0.28:
            memberships.append(
                Membership(
                    user=user, organization=rng.choice(ddets), role=Role.DEPARTMENT_ADMIN, last_reviewed_at=reviewed
                )
            )
        else:
            program = rng.choice(programs)
            role = rng.choice(OPERATOR_ROLES)
            memberships.append(
                Membership(
                    user=user,
                    organization=program.operator,
                    role=role,
                    program=program if role in (Role.PROGRAM_MANAGER, Role.SOCIAL_WORKER) else None,
                    last_reviewed_at=reviewed,
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=BATCH)


def _audit_events(rng, count):
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    missing = count - AuditEvent.objects.count()
    if missing <= 0:
        return
    organizations = list(Organization.objects.values_list("pk", "name")[:3000])
    start = timezone.now() - datetime.timedelta(days=300)
    sequence, last_hash = head.sequence, head.last_hash
    actions = ["auth.login", "auth.login_failed", "accounts.role_switched", "accounts.membership_granted"]
    while missing > 0:
        batch = []
        for _ in range(min(BATCH, missing)):
            sequence += 1
            org_id, org_name = rng.choice(organizations)
            event = AuditEvent(
                sequence=sequence,
                occurred_at=start + datetime.timedelta(seconds=sequence * 20),
                action=rng.choice(actions),
                actor_user_id=rng.randint(1, 30000),
                actor_email=f"agent{rng.randint(1, 30000)}@bench-structure.example",
                actor_role=Role.SIAO_OPERATOR,
                actor_organization_id=org_id,
                actor_organization_name=org_name,
                target_organization_id=org_id,
                ip_address="127.0.0.1",
                correlation_id=f"{sequence:032x}",
                data={},
                prev_hash=last_hash,
            )
            event.hash = last_hash = compute_hash(event)
            batch.append(event)
        AuditEvent.objects.bulk_create(batch)
        missing -= len(batch)
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, last_hash=last_hash)
