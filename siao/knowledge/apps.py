from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "siao.knowledge"
    label = "knowledge"
    verbose_name = "Centre d'aide (base de connaissances)"
