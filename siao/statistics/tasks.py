"""Background task of the statistics base (django-tasks): the daily refresh, enqueued by the
scheduler (or run by `manage.py refresh_statistics`)."""

from django_tasks import task

from . import feed


@task()
def refresh_statistics_task() -> dict:
    """Recompute the open months and freeze the old enough ones (feed.refresh); its report."""
    return feed.refresh()
