from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "siao.retention"
    label = "retention"
    verbose_name = "Conservation des données"
