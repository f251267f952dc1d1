from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("connexion/code/", views.login_code, name="login_code"),
    path("deconnexion/", views.logout, name="logout"),
    path("compte/", views.my_account, name="my_account"),
    path("compte/profil-actif/", views.switch_role, name="switch_role"),
    path("habilitations/", views.membership_list, name="membership_list"),
    path("habilitations/accorder/", views.membership_grant, name="membership_grant"),
    path("habilitations/revue/", views.membership_review, name="membership_review"),
    path("habilitations/<uuid:public_id>/revoquer/", views.membership_revoke, name="membership_revoke"),
]
