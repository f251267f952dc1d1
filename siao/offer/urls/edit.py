from django.urls import path

from siao.offer.views import edit as views

urlpatterns = [
    path("dispositifs/<uuid:public_id>/completer/", views.program_complements, name="program_complements"),
    path("entites/<uuid:public_id>/", views.operator_detail, name="operator_detail"),
    path("entites/<uuid:public_id>/modifier/", views.operator_edit, name="operator_edit"),
    path("groupes/<uuid:public_id>/capacite/", views.place_group_capacity, name="place_group_capacity"),
]
