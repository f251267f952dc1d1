"""The demo data: one account per profile, in département 35, created once, never in production."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from siao.accounts.enums import OrganizationKind, Role
from siao.accounts.models import Membership, Organization, User
from siao.demo.seed import DEMO_DOMAIN
from siao.offer.enums import ValidationStatus
from siao.offer.models import Program


def demo_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "organizations": Organization.objects.count(),
        "programs": Program.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_creates_one_account_per_profile(capsys):
    call_command("seed_demo")
    assert "12 comptes de démonstration créés : voir /demo/." in capsys.readouterr().out
    users = User.objects.filter(is_demo=True)
    assert users.count() == 12
    assert all(user.email.endswith(f"@{DEMO_DOMAIN}") for user in users)
    held = set(Membership.objects.filter(user__is_demo=True).values_list("role", flat=True))
    assert held == set(Role.values)


@pytest.mark.django_db
def test_every_demo_account_can_log_in_with_a_valid_membership():
    call_command("seed_demo")
    for user in User.objects.filter(is_demo=True):
        active = list(Membership.objects.active().filter(user=user))
        assert active, user.email
        for membership in active:
            membership.full_clean()


@pytest.mark.django_db
def test_seed_demo_creates_two_operators_of_departement_35_with_their_programs():
    call_command("seed_demo")
    operators = Organization.objects.filter(kind=OrganizationKind.OPERATOR, siren__in=["999900012", "999900020"])
    assert operators.count() == 2
    for operator in operators:
        assert operator.departments.filter(code="35").exists()
        programs = Program.objects.filter(operator=operator, validation_status=ValidationStatus.VALIDATED)
        assert programs.count() == 2
        assert {program.department.code for program in programs} == {"35"}
    horizon = operators.get(siren="999900012")
    assert set(horizon.departments.values_list("code", flat=True)) == {"35", "56"}


@pytest.mark.django_db
def test_the_demo_accounts_are_vouched_for_by_the_demo_national_administrator():
    call_command("seed_demo")
    national = User.objects.get(email=f"admin.national@{DEMO_DOMAIN}")
    others = Membership.objects.filter(user__is_demo=True).exclude(user=national)
    assert set(others.values_list("granted_by", flat=True)) == {national.pk}


@pytest.mark.django_db
def test_the_demo_includes_memberships_due_for_review():
    call_command("seed_demo")
    due = set(Membership.objects.due_for_review().filter(user__is_demo=True).values_list("user__email", flat=True))
    assert due == {
        f"operateur.siao@{DEMO_DOMAIN}",
        f"assistant.horizon@{DEMO_DOMAIN}",
        f"travailleur.social@{DEMO_DOMAIN}",
    }


@pytest.mark.django_db
def test_seed_demo_a_second_time_creates_nothing(capsys):
    call_command("seed_demo")
    before = demo_counts()
    capsys.readouterr()
    call_command("seed_demo")
    assert "Les données de démonstration existent déjà." in capsys.readouterr().out
    assert demo_counts() == before


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_the_production_settings(settings):
    settings.IS_PRODUCTION = True
    before = demo_counts()
    with pytest.raises(CommandError, match="jamais créées avec la configuration de production"):
        call_command("seed_demo")
    assert demo_counts() == before


def test_demo_mode_cannot_be_switched_on_with_the_production_settings(tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_ENV": "production",
        "DEMO_MODE": "true",
        "SECRET_KEY": "x" * 50,
        "STATIC_ROOT": str(tmp_path),
        "DATABASE_URL": "sqlite:///:memory:",
        "ARCHIVE_DATABASE_URL": "sqlite:///:memory:",
        "STATS_DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.IS_PRODUCTION, s.DEMO_MODE)"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.django_db
def test_seed_demo_leaves_programs_waiting_at_each_step_of_the_validation_circuits():
    call_command("seed_demo")
    waiting = dict(
        Program.objects.exclude(validation_status=ValidationStatus.VALIDATED).values_list("type", "validation_status")
    )
    assert waiting == {
        "chrs": ValidationStatus.SUBMITTED,  # for the SIAO administrator's pre-validation
        "family_boarding_house": ValidationStatus.PREVALIDATED,  # for the DDETS validation
        "hotel": ValidationStatus.SUBMITTED,  # validated directly by the SIAO
    }


@pytest.mark.django_db
def test_seed_demo_gives_the_115_something_at_each_outcome():
    from siao.emergency.enums import EmergencyStatus, SignalStatus
    from siao.emergency.models import EmergencyRequest, OutreachSignal
    from siao.emergency.nights import tonight

    call_command("seed_demo")
    statuses = set(EmergencyRequest.objects.filter(night_of=tonight()).values_list("status", flat=True))
    assert {EmergencyStatus.PENDING, EmergencyStatus.ORIENTED, EmergencyStatus.UNMET} <= statuses
    sheltered = EmergencyRequest.objects.get(status=EmergencyStatus.SHELTERED)
    assert sheltered.last_night < tonight()  # to renew tonight
    assert sheltered.stay.nights.count() == 3
    past = EmergencyRequest.objects.exclude(night_of=tonight()).exclude(status=EmergencyStatus.SHELTERED)
    assert past.filter(status=EmergencyStatus.UNMET).count() == 4
    assert OutreachSignal.objects.filter(status=SignalStatus.NEW).count() == 1
