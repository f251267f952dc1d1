from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "siao.offer"
    label = "offer"
    verbose_name = "Offre"
