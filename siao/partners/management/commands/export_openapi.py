"""Write the partner API's OpenAPI document: `python manage.py export_openapi` (used by
`make api-schema`) rewrites docs/api/openapi-v1.json, the contract a test compares with the
served /api/v1/openapi.json; `--check` only says whether the committed file is up to date."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "api" / "openapi-v1.json"


def openapi_document() -> str:
    """The document as committed: pretty-printed, keys sorted, UTF-8, a final newline."""
    from siao.partners.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Écrit le document OpenAPI de l'API partenaires (docs/api/openapi-v1.json)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_PATH), help="Fichier à écrire.")
        parser.add_argument(
            "--check", action="store_true", help="Vérifier seulement que le fichier est à jour (code 1 sinon)."
        )

    def handle(self, *args, output, check, **options):
        path = Path(output)
        document = openapi_document()
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != document:
                raise CommandError(f"{path} n'est pas à jour : lancez `make api-schema`.")
            self.stdout.write(f"{path} est à jour.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
        self.stdout.write(f"{path} écrit.")
