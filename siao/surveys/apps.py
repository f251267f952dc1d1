from django.apps import AppConfig
from django.db.backends.signals import connection_created


class SurveysConfig(AppConfig):
    name = "siao.surveys"
    label = "surveys"
    verbose_name = "Enquêtes de satisfaction"

    def ready(self):
        from .banner import refresh_on_new_connection

        connection_created.connect(refresh_on_new_connection, dispatch_uid="surveys_refresh_open_campaign")
