"""Placeholder: replaced by the real views."""

from django.http import Http404


def desk(request, *args, **kwargs):
    raise Http404


def call_create(request, *args, **kwargs):
    raise Http404


def call_detail(request, *args, **kwargs):
    raise Http404


def call_household(request, *args, **kwargs):
    raise Http404


def call_household_create(request, *args, **kwargs):
    raise Http404


def call_notes(request, *args, **kwargs):
    raise Http404


def request_create(request, *args, **kwargs):
    raise Http404


def request_detail(request, *args, **kwargs):
    raise Http404


def request_orient(request, *args, **kwargs):
    raise Http404


def request_release(request, *args, **kwargs):
    raise Http404


def request_unmet(request, *args, **kwargs):
    raise Http404


def request_no_callback(request, *args, **kwargs):
    raise Http404


def request_no_show(request, *args, **kwargs):
    raise Http404


def signal_take(request, *args, **kwargs):
    raise Http404


def signal_close(request, *args, **kwargs):
    raise Http404
