"""The contract, fuzzed: schemathesis (its CLI, as a partner's CI would run it) reads the served
OpenAPI document and calls every operation of a live server with generated valid and invalid
data, checking that no call fails with a 5xx, that every status, content type, header and body
is the documented one, that invalid data is refused and valid data accepted.

It runs in `make test` like any test: the world is built in the (transactional) test database,
the live server answers from it, and the CLI is a subprocess. A failure prints schemathesis'
report, with the `curl` command that reproduces each failing call."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from siao.offer.models import Place, PlaceGroup
from siao.orientation.models import Referral, Stay
from tests.orientation.helpers import World

from .helpers import register, token_for

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi-v1.json"
# Per operation, in the fuzzing and stateful phases (the coverage phase, deterministic, always
# covers each operation's boundaries): about two minutes here. SCHEMATHESIS_MAX_EXAMPLES raises
# it for a deeper run. `--checks all`: every check applies, none is excluded.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))


@pytest.fixture
def partner_world():
    """A partner with every scope on an operator that has programs, place groups, places,
    candidatures in several states and a stay, and a rate limit that fuzzing cannot reach."""
    cache.clear()
    world = World.build(places=4)
    partner = register([world.target.operator], rate_limit=100000)
    world.oriented()  # proposed
    world.accepted()  # accepted: may be admitted
    world.admitted()  # a stay in progress
    return world, partner


def known_identifiers(world) -> str:
    """schemathesis' dictionaries of the world's identifiers: half of the generated path
    parameters and references name real objects, so that the calls reach the actions (not only
    the 404 of an unknown identifier)."""
    values = {
        "programs": [world.target.public_id],
        "groups": list(PlaceGroup.objects.filter(program=world.target).values_list("public_id", flat=True)),
        "places": list(Place.objects.filter(place_group__program=world.target).values_list("public_id", flat=True)),
        "referrals": list(Referral.objects.filter(program=world.target).values_list("public_id", flat=True)),
        "stays": list(Stay.objects.filter(program=world.target).values_list("public_id", flat=True)),
        "operators": [world.target.operator.public_id],
        "departments": ["35", "75"],
    }
    bindings = {
        "path.program_id": "programs",
        "path.group_id": "groups",
        "path.place_id": "places",
        "path.referral_id": "referrals",
        "path.stay_id": "stays",
        "body.place": "places",
        "body.operator": "operators",
        "body.department": "departments",
    }
    lines = []
    for name, items in values.items():
        lines += [f"[dictionaries.{name}]", "values = [" + ", ".join(f'"{item}"' for item in items) + "]", ""]
    lines.append("[parameters]")
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in bindings.items()]
    return "\n".join(lines) + "\n"


def test_schemathesis_finds_no_defect(live_server, partner_world, tmp_path):
    world, partner = partner_world
    assert Place.objects.filter(place_group__program=world.target).count() == 4
    token = token_for(partner)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.read_text() + "\n" + known_identifiers(world), encoding="utf-8")
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "1",
        "--no-color",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--header",
        f"Authorization: Bearer {token}",
    ]
    env = {**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"}
    # cwd: schemathesis keeps its crash cache and hypothesis its examples where it runs.
    result = subprocess.run(  # noqa: S603 (our own CLI, arguments built above)
        command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600, check=False
    )
    report = result.stdout + result.stderr
    print(report)  # shown with -s or -rP: the warnings (operations short of data) are worth a look
    assert result.returncode == 0, f"schemathesis a trouvé des défauts :\n{report}"
    # Every operation of the document was exercised, none left out.
    operations = sum(len(item) for item in json.loads(DOCUMENT.read_text(encoding="utf-8"))["paths"].values())
    assert re.search(rf"Selected: {operations}/{operations}\b", report), report
    assert re.search(rf"Tested: {operations}\b", report), report
