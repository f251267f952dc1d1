from django.urls import path

from . import views

app_name = "demo"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("<uuid:public_id>/connexion/", views.login_as, name="login_as"),
]
