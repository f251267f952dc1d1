from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("nouvelle/", views.campaign_create, name="campaign_create"),
    path("plus-tard/", views.dismiss, name="dismiss"),
    path("<uuid:public_id>/modifier/", views.campaign_edit, name="campaign_edit"),
    path("<uuid:public_id>/ouvrir/", views.campaign_open, name="campaign_open"),
    path("<uuid:public_id>/clore/", views.campaign_close, name="campaign_close"),
    path("<uuid:public_id>/repondre/", views.answer, name="answer"),
    path("<uuid:public_id>/merci/", views.thanks, name="thanks"),
    path("<uuid:public_id>/resultats/", views.results, name="results"),
    path("<uuid:public_id>/resultats/<str:what>.csv", views.results_export, name="results_export"),
]
