"""The retention run as a background task (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from . import purge
from .models import RetentionRun


@task()
def retention_run_task(run_id: int) -> dict:
    run = RetentionRun.objects.get(pk=run_id)
    return purge.execute(run, dry_run=run.dry_run)
