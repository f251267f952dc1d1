from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "siao.geo"
    label = "geo"
    verbose_name = "Territoire"
