"""Placeholder: replaced by the real views."""

from django.http import Http404


def encounter_list(request, *args, **kwargs):
    raise Http404


def encounter_create(request, *args, **kwargs):
    raise Http404


def encounter_detail(request, *args, **kwargs):
    raise Http404


def signal_create(request, *args, **kwargs):
    raise Http404
