from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "siao.partners"
    label = "partners"
    verbose_name = "Interconnexion des partenaires"
