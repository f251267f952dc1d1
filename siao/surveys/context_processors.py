def survey_banner(request):
    """The satisfaction survey's banner (filled by the surveys app)."""
    return {}
