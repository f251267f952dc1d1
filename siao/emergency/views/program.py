"""Placeholder: replaced by the real views."""

from django.http import Http404


def arrival_list(request, *args, **kwargs):
    raise Http404


def request_arrival(request, *args, **kwargs):
    raise Http404
