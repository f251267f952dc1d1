"""Placeholder: replaced by the real views."""

from django.http import Http404


def daily_figures(request, *args, **kwargs):
    raise Http404


def daily_figures_csv(request, *args, **kwargs):
    raise Http404
