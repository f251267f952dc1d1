from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "siao.surveys"
    label = "surveys"
    verbose_name = "Enquêtes de satisfaction"
