from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "siao.households"
    label = "households"
    verbose_name = "Ménages"
