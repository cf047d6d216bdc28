"""After commit, the worker is asked to send what is due. The request never waits on it."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from notifications.tasks import send_notifications

logger = logging.getLogger(__name__)


def dispatch_on_commit() -> None:
    """After commit, ask the worker to send now. The request never waits on the broker:
    the publish runs in a thread, and if it fails the every-minute outbox task sends anyway."""
    transaction.on_commit(_publish_in_background)


def _publish_in_background() -> None:
    if getattr(settings, "DESK_PUBLISH_SYNC", False):
        _publish()
        return
    _publisher.wake()


# At most this many publishes a second per process: each tells the worker to send everything
# that is due, so one publish serves every commit that came before it.
PUBLISH_PAUSE_SECONDS = 0.2


def _publish() -> None:
    try:
        send_notifications.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the outbox run is the fallback; never surface this
        logger.warning("Broker unavailable; notifications wait for the next outbox run.")


class Publisher:
    """One daemon thread per process publishes the "send now" task for all its commits.

    A commit only sets an event (microseconds, never a wait on the broker). The thread clears
    the event and then publishes, so every commit is followed by a publish that starts after
    it; commits made while it publishes or pauses share the next one. Under load that is a few
    publishes a second instead of one per complaint, and a broker outage holds up one thread,
    not one thread per request.
    """

    def __init__(self, publish: Callable[[], None] = _publish) -> None:
        self._publish = publish
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="desk-publish", daemon=True
                    )
                    self._thread.start()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            self._publish()
            time.sleep(PUBLISH_PAUSE_SECONDS)


_publisher = Publisher()


def _publisher_reset() -> None:
    """A forked child (a web worker forked from a preloading master) has none of its parent's
    threads, and may have inherited a held lock: it starts its own publisher."""
    global _publisher
    _publisher = Publisher()


os.register_at_fork(after_in_child=_publisher_reset)
