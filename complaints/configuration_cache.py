"""Small configuration tables (deadline policies, business calendars) kept in each process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

# Kept for a minute and dropped at once, by signal, in the process that saves a change: every
# intake and action reads them, they change a few times a year, and the web and worker
# processes that did not save the change read it again within that minute.
KEEP_SECONDS = 60.0


class ConfigurationCache:
    """Values loaded on first use, kept for ``seconds``, dropped by ``clear`` and whenever a
    row of the ``sources`` is saved or deleted in this process.

    The signals are connected here, where the values are kept: a process that never imported
    a cache has nothing to drop.
    """

    def __init__(
        self, name: str, *, sources: tuple[type[Model], ...], seconds: float = KEEP_SECONDS
    ) -> None:
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, object]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        for model in sources:
            for signal in (post_save, post_delete):
                signal.connect(self.clear, sender=model, dispatch_uid=f"{name}_{model._meta.label}")

    def get(self, key: Hashable, load: Callable[[], object]) -> object:
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and now < kept[0]:
            return kept[1]
        generation = self._generation
        value = load()
        with self._lock:
            # A change saved while loading may not be in ``value``: it is not kept.
            if generation == self._generation:
                self._values[key] = (now + self.seconds, value)
        return value

    def clear(self, *args, **kwargs) -> None:
        """Drop every value; takes a signal's arguments and ignores them."""
        with self._lock:
            self._generation += 1
            self._values.clear()
