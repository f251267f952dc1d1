"""Placeholder: replaced by the real views."""

from django.http import Http404


def renewal_list(request, *args, **kwargs):
    raise Http404
