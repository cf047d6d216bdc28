"""The backends that send nothing: the console prints, locmem keeps the messages in memory."""

from __future__ import annotations

import sys
import threading

from notifications.sms.base import Outcome, Result, SmsBackend, TextMessage

# What the locmem backend was given, oldest first; tests read and clear it.
outbox: list[TextMessage] = []
_lock = threading.Lock()


class ConsoleBackend(SmsBackend):
    def send(self, message: TextMessage) -> Result:
        sys.stdout.write(f"SMS to {message.phone} [{message.kind}]: {message.text}\n")
        sys.stdout.flush()
        return Result(Outcome.SENT)


class LocmemBackend(SmsBackend):
    def send(self, message: TextMessage) -> Result:
        with _lock:
            outbox.append(message)
            number = len(outbox)
        return Result(Outcome.SENT, provider_id=f"locmem-{number}")
