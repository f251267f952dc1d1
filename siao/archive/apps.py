from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The legal archive (database alias `archive`): the minimized proof of purged files."""

    name = "siao.archive"
    label = "archive"
    verbose_name = "Archive légale"
