"""Text messages to residents, through the backend that ``DESK_SMS_BACKEND`` names, in the way
Django's email backends are chosen: ``console`` (prints), ``locmem`` (kept in memory, for
tests), ``tencent`` and ``aliyun`` (the providers' SDKs), or a dotted path to a class.

China admits only pre-approved templates, so a message travels as its ``kind`` (which names a
template in settings) and the template's variables; ``text`` is the whole message as the desk
shows it, for the backends that print or keep it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from notifications.sms.base import Outcome, Result, SmsBackend, TextMessage

BACKENDS = {
    "console": "notifications.sms.local.ConsoleBackend",
    "locmem": "notifications.sms.local.LocmemBackend",
    "tencent": "notifications.sms.tencent.TencentBackend",
    "aliyun": "notifications.sms.aliyun.AliyunBackend",
}

__all__ = ["BACKENDS", "Outcome", "Result", "SmsBackend", "TextMessage", "backend_get"]


def backend_get() -> SmsBackend:
    name = settings.DESK_SMS_BACKEND
    return import_string(BACKENDS.get(name, name))()
