from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("demande/", views.request_create, name="request_create"),
]
