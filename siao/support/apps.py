from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "siao.support"
    label = "support"
    verbose_name = "Demandes de support"
