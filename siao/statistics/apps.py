from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """The statistics base (database alias `stats`): anonymized monthly aggregates."""

    name = "siao.statistics"
    label = "statistics"
    verbose_name = "Base statistique"
