"""Celery tasks: thin wrappers that call one service. The database is the source of truth,
so every task can run twice, late, or in two workers at once."""

from celery import shared_task

from complaints.services.submissions import submission_keys_forget
from complaints.services.sweep import sweep_run


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> str:
    """Every minute. What it escalates and reminds leaves through the outbox after commit."""
    return str(sweep_run())


@shared_task(acks_late=True, ignore_result=True)
def forget_submission_keys() -> int:
    """Hourly: the intake keys older than a day, whose tokens are refused by now anyway."""
    return submission_keys_forget()
