#!/usr/bin/env python3
"""Rebuild the territory referential shipped in siao/geo/data/ from `@etalab/decoupage-administratif`.

Standalone (standard library only, no Django). Usage:

    python scripts/refresh_territory.py --from-npm            # npm install into a temp dir, then write
    python scripts/refresh_territory.py --from-npm --version 6.0.0
    python scripts/refresh_territory.py /path/to/node_modules/@etalab/decoupage-administratif/data

Writes, deterministically (sorted, LF line endings):
  siao/geo/data/departments.csv  code, name, region_code, region_name
  siao/geo/data/communes.csv     insee_code, name, department_code, postal_codes, kind
  siao/geo/data/SOURCE.md        package, version, date, licence, row counts

Kept: départements of zone "metro" (96, incl. 2A/2B) and "drom" (971-974, 976); the collectivités
d'outre-mer the package also lists among départements (975, 977, 978, 984, 986-989) are left out.
Communes: "commune-actuelle" (kind `commune`) and "arrondissement-municipal" (kind `arrondissement`,
Paris/Lyon/Marseille); communes déléguées and associées are not current communes and are skipped.
Then load them into the database with `python manage.py load_territory`.
"""

import argparse
import csv
import datetime
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "siao" / "geo" / "data"
KEPT_ZONES = {"metro", "drom"}
KINDS = {"commune-actuelle": "commune", "arrondissement-municipal": "arrondissement"}
DEPARTMENT_FIELDS = ["code", "name", "region_code", "region_name"]
COMMUNE_FIELDS = ["insee_code", "name", "department_code", "postal_codes", "kind"]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def build_rows(data_dir):
    """Return (departments, communes), lists of dicts sorted by code."""
    data_dir = Path(data_dir)
    regions = {r["code"]: r["nom"] for r in read_json(data_dir / "regions.json")}
    departments = []
    for d in read_json(data_dir / "departements.json"):
        if d.get("zone") not in KEPT_ZONES:
            continue
        departments.append(
            {"code": d["code"], "name": d["nom"], "region_code": d["region"], "region_name": regions[d["region"]]}
        )
    department_codes = {d["code"] for d in departments}
    communes = {}
    for c in read_json(data_dir / "communes.json"):
        kind = KINDS.get(c.get("type"))
        if kind is None or c.get("departement") not in department_codes:
            continue
        if c["code"] in communes:
            raise ValueError(f"code INSEE en double dans le paquet : {c['code']}")
        communes[c["code"]] = {
            "insee_code": c["code"],
            "name": c["nom"],
            "department_code": c["departement"],
            "postal_codes": " ".join(sorted(set(c.get("codesPostaux") or []))),
            "kind": kind,
        }
    departments.sort(key=lambda d: d["code"])
    check(departments, communes)
    return departments, [communes[code] for code in sorted(communes)]


def check(departments, communes):
    codes = {d["code"] for d in departments}
    expected = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B", "971", "972", "973", "974", "976"}
    if codes != expected:
        raise ValueError(f"départements inattendus : manquants {expected - codes}, en trop {codes - expected}")
    if len(communes) < 34000:
        raise ValueError(f"trop peu de communes : {len(communes)}")
    for code in ("75056", "75101", "13055", "69123", "97411", "2A004", "2B033"):
        if code not in communes:
            raise ValueError(f"commune attendue absente : {code}")


def write_csv(path, fields, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def write_source(path, version, departments, communes):
    kinds = {k: sum(1 for c in communes if c["kind"] == k) for k in ("commune", "arrondissement")}
    overseas = sum(1 for d in departments if len(d["code"]) == 3)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    path.write_text(
        f"""# Source of the territory referential

- Package: npm `{PACKAGE}` version {version} (https://github.com/datagouv/decoupage-administratif),
  built by Etalab / data.gouv.fr from INSEE's Code officiel géographique (COG) and La Poste's
  base officielle des codes postaux.
- Licence of the data: Licence Ouverte / Open Licence 2.0 (etalab-2.0),
  https://www.etalab.gouv.fr/licence-ouverte-open-licence (the package's code is MIT).
- Generated on {today} by `scripts/refresh_territory.py` (see docs/territory.md). Do not edit by hand.

## Contents

- `departments.csv`: {len(departments)} départements ({len(departments) - overseas} metropolitan incl. 2A/2B,
  {overseas} overseas: 971 to 974 and 976). The collectivités d'outre-mer listed by the package
  (975, 977, 978, 984, 986 to 989) are not départements and are not shipped.
- `communes.csv`: {len(communes)} rows: {kinds["commune"]} communes (type `commune-actuelle`) and
  {kinds["arrondissement"]} municipal arrondissements of Paris, Lyon and Marseille (`arrondissement-municipal`).
  Communes déléguées and associées are not current communes and are not shipped.
""",
        encoding="utf-8",
        newline="",
    )


def write_all(data_dir, output_dir, version):
    departments, communes = build_rows(data_dir)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    write_csv(output_dir / "departments.csv", DEPARTMENT_FIELDS, departments)
    write_csv(output_dir / "communes.csv", COMMUNE_FIELDS, communes)
    write_source(output_dir / "SOURCE.md", version, departments, communes)
    return len(departments), len(communes)


def package_version(data_dir):
    package_json = Path(data_dir).parent / "package.json"
    if package_json.exists():
        return read_json(package_json).get("version", "inconnue")
    return "inconnue"


def npm_install(target, version):
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm introuvable : installez Node.js/npm, ou passez le dossier data du paquet en argument.")
    spec = f"{PACKAGE}@{version}" if version else PACKAGE
    subprocess.run(  # noqa: S603 (fixed argument list, npm found on PATH)
        [npm, "install", "--prefix", str(target), "--no-save", "--no-audit", "--no-fund", spec],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return Path(target) / "node_modules" / "@etalab" / "decoupage-administratif" / "data"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "data_dir", nargs="?", help="the `data` folder of an installed @etalab/decoupage-administratif"
    )
    source.add_argument("--from-npm", action="store_true", help="npm install the package into a temp dir first")
    parser.add_argument("--version", help="package version for --from-npm (default: latest)")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="output folder (default: siao/geo/data)")
    args = parser.parse_args(argv)

    if args.from_npm:
        with tempfile.TemporaryDirectory(prefix="decoupage-") as tmp:
            data_dir = npm_install(tmp, args.version)
            version = package_version(data_dir)
            counts = write_all(data_dir, args.output, version)
    else:
        version = package_version(args.data_dir)
        counts = write_all(args.data_dir, args.output, version)
    print(f"{PACKAGE} {version} : {counts[0]} départements, {counts[1]} communes écrits dans {args.output}")


if __name__ == "__main__":
    main()
