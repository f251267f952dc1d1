"""INSEE commune code: format validation (validator) and lookup (helper)."""

import re

from django.core.exceptions import ValidationError

# 2 digits (01–95, except 20) or 2A/2B (Corsica), then 3 digits; overseas: 97 + département digit + 2 digits.
INSEE_CODE_RE = re.compile(r"(?:(?:0[1-9]|1\d|[3-8]\d|9[0-5]|2[1-9])\d{3}|2[AB]\d{3}|97[1-6]\d{2})")


def validate_insee_code(value):
    """Check that `value` has the form of an INSEE commune code (not that the commune exists)."""
    if not isinstance(value, str) or not INSEE_CODE_RE.fullmatch(value):
        raise ValidationError(
            "« %(value)s » n'est pas un code INSEE de commune valide : 5 caractères, le numéro du "
            "département (2 chiffres, 2A ou 2B pour la Corse, 971 à 976 outre-mer) puis le numéro de la "
            "commune (ex. : 75056, 2A004, 97411).",
            code="invalid_insee_code",
            params={"value": value},
        )


def get_commune(insee_code):
    """The Commune with this INSEE code, or None if the code is malformed or unknown."""
    from siao.geo.models import Commune

    if not isinstance(insee_code, str):
        return None
    insee_code = insee_code.strip().upper()
    if not INSEE_CODE_RE.fullmatch(insee_code):
        return None
    return Commune.objects.select_related("department").filter(insee_code=insee_code).first()
