"""How a notification leaves the desk. Each channel is a class named in settings.DESK_CHANNELS,
so a text-message gateway can be plugged in without touching the outbox."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ChannelError(Exception):
    pass


class EmailChannel:
    def send(self, notification) -> None:
        if not notification.address:
            return  # in-app only: the badge shows it
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.address],
        )
        message.send(fail_silently=False)


class ConsoleSmsChannel:
    """Writes text messages to the log; replace with a gateway's class in production."""

    def send(self, notification) -> None:
        logger.info("SMS to %s: %s", notification.address, notification.body)


def transport_for(channel: str):
    return import_string(settings.DESK_CHANNELS[channel])()
