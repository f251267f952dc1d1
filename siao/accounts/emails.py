"""What the email addresses of users may be: individual and professional."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import normalize_email

INVALID_EMAIL_MESSAGE = "Saisissez une adresse électronique valide, par exemple prenom.nom@organisme.fr."
WEBMAIL_MESSAGE = (
    "Les adresses de messagerie personnelle (%(domain)s) ne sont pas acceptées : "
    "utilisez votre adresse professionnelle individuelle."
)


def is_webmail(email: str) -> bool:
    domain = normalize_email(email).rpartition("@")[2]
    return domain in {d.lower() for d in settings.WEBMAIL_DOMAINS}


def validate_professional_email(value: str) -> str:
    email = normalize_email(value)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(INVALID_EMAIL_MESSAGE, code="invalid") from exc
    if is_webmail(email):
        raise ValidationError(WEBMAIL_MESSAGE, code="webmail", params={"domain": email.rpartition("@")[2]})
    return email
