from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "siao.emergency"
    label = "emergency"
    verbose_name = "115 et veille sociale"
