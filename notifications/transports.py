"""How a notification leaves the desk. Each channel is a class named in settings.DESK_CHANNELS;
text messages go through the backend that DESK_SMS_BACKEND chooses (``notifications.sms``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

from notifications.models import Notification
from notifications.sms import Outcome, Result, TextMessage, backend_get
from residents.phones import e164


class EmailChannel:
    def send(self, notification: Notification) -> Result:
        if not notification.address:
            return Result(Outcome.SENT)  # in-app only: the badge shows it
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.address],
        )
        message.send(fail_silently=False)
        return Result(Outcome.SENT)


def text_message(notification: Notification) -> TextMessage | None:
    """The row as the SMS backend takes it; None when its number could never receive one."""
    try:
        phone = e164(notification.address)
    except ValueError:
        return None
    return TextMessage(
        phone=phone, kind=notification.kind, params=notification.params, text=notification.body
    )


class SmsChannel:
    def send(self, notification: Notification) -> Result:
        message = text_message(notification)
        if message is None:
            return Result(Outcome.FAILED, detail="not a mobile number")
        return backend_get().send(message)


def transport_for(channel: str):
    return import_string(settings.DESK_CHANNELS[channel])()
