from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SiteConfig:
    """What the dsfr templates read from `SITE_CONFIG`, without the database query that
    django-dsfr's own context processor makes on every page."""

    site_title: str = "SI SIAO"
    site_tagline: str = "Système d'information des services intégrés d'accueil et d'orientation"
    header_brand_html: str = "République<br>française"
    footer_brand_html: str = "République<br>française"
    footer_description: str = (
        "Le SI SIAO est le système d'information des SIAO, sous la responsabilité de la "
        "Délégation interministérielle à l'hébergement et à l'accès au logement (Dihal)."
    )
    beta_tag: bool = False
    mourning: bool = False
    notice_title: str = ""
    notice_description: str = ""
    operator_logo_file: None = None
    operator_logo_alt: str = ""
    accessibility_status: str = "PART"

    def get_accessibility_status_display(self):
        return "partiellement"


SITE_CONFIG = SiteConfig()


def site(request):
    from .home import tiles_for

    actor = getattr(request, "actor", None)
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "DEMO_MODE": settings.DEMO_MODE,
        "nav_items": tiles_for(actor) if actor else [],
    }
