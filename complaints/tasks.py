"""Celery tasks: thin wrappers that call one service. The database is the source of truth,
so every task can run twice, late, or in two workers at once."""

from celery import shared_task

from complaints.reports.mailing import weekly_summaries_send
from complaints.services.notifications import notifications_send
from complaints.services.sweep import sweep_run


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> str:
    result = sweep_run()
    if result.escalated or result.reminded or result.escalation_reminders:
        notifications_send()
    return str(result)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def send_notifications() -> int:
    return notifications_send()


@shared_task(acks_late=True, ignore_result=True)
def send_weekly_summaries() -> int:
    """Hourly: the Monday emails that are due; each manager's goes once per week."""
    return len(weekly_summaries_send())
