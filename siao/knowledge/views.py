"""The help centre (placeholder, filled by the knowledge base work)."""

from django.http import HttpResponse


def help_home(request):
    return HttpResponse("Aide")


def suggestions(request):
    return HttpResponse("")
