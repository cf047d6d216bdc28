"""The weekly summary's scheduled work: a thin wrapper around one service, safe to run twice."""

from celery import shared_task

from reports.mailing import weekly_summaries_send


@shared_task(acks_late=True, ignore_result=True)
def send_weekly_summaries() -> int:
    """Hourly: the Monday emails that are due; each manager's goes once per week."""
    return len(weekly_summaries_send())
