from django.urls import path

from siao.offer.views import requests as views

urlpatterns = [
    path("demande/", views.request_create, name="request_create"),
    path("demande/envoyee/", views.request_sent, name="request_sent"),
    path("demandes/", views.request_list, name="request_list"),
    path("demandes/<uuid:public_id>/", views.request_detail, name="request_detail"),
]
