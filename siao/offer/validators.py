import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fr import siret

FINESS_RE = re.compile(r"^(\d{2}|2A|2B)\d{7}$")
# A French or international phone number as people type it: digits with spaces, dots,
# dashes or parentheses, 8 to 20 characters, optionally starting with +.
PHONE_RE = re.compile(r"^\+?[0-9(][0-9 .\-()]{6,18}[0-9]$")


def strip_separators(value: str) -> str:
    """SIREN, SIRET and similar identifiers as typed ("123 456 789", "123.456.789")."""
    return re.sub(r"[\s.\-]", "", value or "")


def is_phone_number(value: str) -> bool:
    return bool(PHONE_RE.fullmatch(value))


def validate_siret(value: str) -> None:
    try:
        siret.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            "Le numéro SIRET « %(value)s » n'est pas valide : il compte 14 chiffres et sa clé de contrôle doit "
            "être juste.",
            params={"value": value},
            code="invalid_siret",
        ) from exc


def validate_finess(value: str) -> None:
    if not FINESS_RE.match(value or ""):
        raise ValidationError(
            "Le numéro FINESS « %(value)s » n'est pas valide : 9 caractères, le code du département (2A et 2B "
            "pour la Corse) suivi de 7 chiffres.",
            params={"value": value},
            code="invalid_finess",
        )
