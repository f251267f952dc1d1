from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "siao.demo"
    label = "demo"
    verbose_name = "Démonstration"
