import csv
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from siao.geo.loader import COMMUNES_FILE, load_territory, prune_communes
from siao.geo.models import Commune, Department
from siao.geo.validators import get_commune, validate_insee_code

OVERSEAS = ["971", "972", "973", "974", "976"]


@pytest.mark.django_db
def test_every_department_is_loaded_by_the_migration():
    codes = list(Department.objects.values_list("code", flat=True))
    assert len(codes) == 101
    assert {"2A", "2B", *OVERSEAS} <= set(codes)
    assert not {"20", "975", "977", "978", "987", "988"} & set(codes)
    assert codes == sorted(codes)
    assert codes[:3] == ["01", "02", "03"] and codes[-5:] == OVERSEAS
    assert set(Department.objects.filter(is_overseas=True).values_list("code", flat=True)) == set(OVERSEAS)
    assert str(Department.objects.get(code="75")) == "75 – Paris"
    corse = Department.objects.get(code="2A")
    assert (corse.name, corse.region_code, corse.region_name) == ("Corse-du-Sud", "94", "Corse")
    assert Department.objects.get(code="974").region_name == "La Réunion"


@pytest.mark.django_db
def test_communes_are_loaded_with_their_department():
    assert Commune.objects.count() > 34000
    paris = Commune.objects.get(insee_code="75056")
    assert (paris.name, paris.department.code, paris.kind) == ("Paris", "75", Commune.Kind.COMMUNE)
    assert "75001" in paris.postal_code_list
    assert Commune.objects.get(insee_code="13055").name == "Marseille"
    assert Commune.objects.get(insee_code="69123").name == "Lyon"
    saint_denis = Commune.objects.get(insee_code="97411")
    assert (saint_denis.name, saint_denis.department.code) == ("Saint-Denis", "974")
    assert Commune.objects.get(insee_code="2A004").department.code == "2A"
    assert Commune.objects.get(insee_code="97608").department.code == "976"  # Mamoudzou
    assert Department.objects.get(code="75").communes.count() == 21  # Paris + 20 arrondissements


@pytest.mark.django_db
def test_municipal_arrondissements_are_kept_and_delegated_communes_are_not():
    first = Commune.objects.get(insee_code="75101")
    assert first.kind == Commune.Kind.ARRONDISSEMENT
    assert first.get_kind_display() == "Arrondissement municipal"
    assert Commune.objects.filter(kind=Commune.Kind.ARRONDISSEMENT).count() == 45  # Paris 20, Marseille 16, Lyon 9
    assert not Commune.objects.filter(insee_code="01039").exists()  # Béon, commune déléguée of Culoz-Béon
    assert not Commune.objects.filter(insee_code__startswith="98").exists()  # collectivités d'outre-mer


@pytest.mark.django_db
def test_loader_is_idempotent_and_keeps_ids():
    departments, communes = Department.objects.count(), Commune.objects.count()
    paris_id = Commune.objects.get(insee_code="75056").pk
    Commune.objects.filter(insee_code="75056").update(name="Lutèce", postal_codes="")
    assert load_territory() == (departments, communes)
    assert load_territory() == (departments, communes)
    assert (Department.objects.count(), Commune.objects.count()) == (departments, communes)
    paris = Commune.objects.get(insee_code="75056")
    assert (paris.pk, paris.name) == (paris_id, "Paris")
    assert paris.postal_codes


@pytest.mark.django_db
def test_loader_fills_an_empty_database_quickly():
    Commune.objects.all().delete()
    Department.objects.all().delete()
    start = time.monotonic()
    counts = load_territory()
    assert time.monotonic() - start < 15  # ~2 s on SQLite; generous for slow CI
    with open(COMMUNES_FILE, encoding="utf-8") as f:
        assert counts == (101, sum(1 for _ in csv.DictReader(f)))
    assert (Department.objects.count(), Commune.objects.count()) == counts


@pytest.mark.django_db
def test_prune_deletes_only_communes_absent_from_the_files():
    Commune.objects.create(insee_code="01999", name="Ancienne commune", department=Department.objects.get(code="01"))
    assert prune_communes() == (["01999"], [])
    assert not Commune.objects.filter(insee_code="01999").exists()
    assert Commune.objects.filter(insee_code="01001").exists()


@pytest.mark.django_db
def test_management_command_prints_counts(capsys):
    call_command("load_territory")
    out = capsys.readouterr().out
    assert "101 départements" in out
    assert f"{Commune.objects.count()} communes" in out


@pytest.mark.parametrize("code", ["75056", "01001", "2A004", "2B033", "97411", "97608", "13201", "95690"])
def test_validator_accepts_insee_codes(code):
    validate_insee_code(code)


@pytest.mark.parametrize(
    "code",
    ["", "7505", "750560", "75 056", "2a004", "2C004", "20004", "00123", "96001", "98735", "97701", "7505A", 75056],
)
def test_validator_rejects_malformed_codes(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_insee_code(code)
    assert "code INSEE de commune valide" in excinfo.value.messages[0]


@pytest.mark.django_db
def test_get_commune():
    assert get_commune("75056").name == "Paris"
    assert get_commune(" 2a004 ").name == "Ajaccio"
    assert get_commune("01999") is None  # well-formed, unknown
    assert get_commune("abc") is None
    assert get_commune(None) is None
