from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.help_home, name="help"),
    path("suggestions/", views.suggestions, name="suggestions"),
]
