"""The outbox's worker task: a thin wrapper around one service, safe to run twice or late."""

from celery import shared_task

from notifications.sending import notifications_send


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def send_notifications() -> int:
    return notifications_send()
