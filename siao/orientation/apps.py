from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "siao.orientation"
    label = "orientation"
    verbose_name = "Demandes et orientations"
