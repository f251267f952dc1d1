from django.utils.functional import SimpleLazyObject

from .banner import banner_for


def survey_banner(request):
    """The satisfaction survey's banner: worked out only when a template shows it (base.html),
    from the cache and the session (see siao/surveys/banner.py)."""
    return {"survey_banner": SimpleLazyObject(lambda: banner_for(request))}
