"""Background tasks of the 115 (django-tasks): the night's rollover, enqueued each morning
after EMERGENCY_NIGHT_CHANGE_HOUR by the scheduler (or run by `manage.py emergency_rollover`)."""

from django_tasks import task

from . import actions


@task()
def rollover_nights_task() -> dict[str, int]:
    """Close what the past nights left open (actions.rollover_nights); returns the counts."""
    return actions.rollover_nights()
