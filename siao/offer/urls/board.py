from django.urls import path

from siao.offer.views import board, dashboard

urlpatterns = [
    path("places-disponibles/", board.vacancy_board, name="vacancy_board"),
    path("capacites/", dashboard.capacity_dashboard, name="capacity_dashboard"),
]
