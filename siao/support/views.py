"""Support requests (placeholder, filled by the support work)."""

from django.http import HttpResponse


def request_create(request):
    return HttpResponse("Demande de support")
