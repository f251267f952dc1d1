from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "siao.core"
    label = "core"
    verbose_name = "Socle"
