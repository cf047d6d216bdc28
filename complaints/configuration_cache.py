"""Small configuration tables (deadline policies, business calendars) kept in each process.

Every intake and action reads them and they change a few times a year, so each web and worker
process keeps what it read. A saved change must reach every process before the next deadline
is computed, not a minute later: the open deadlines are recomputed when the change is saved,
and a deadline created afterwards from an old copy would stay wrong. So each kept value is
tagged with a stamp held in Django's cache (Redis when ``REDIS_URL`` is set, a folder under
``var/`` otherwise), which every process shares; a change sets a new stamp when it commits,
and a process whose values carry another stamp reads them again. Without a readable stamp
nothing is kept.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

# A backstop for changes written without signals (a queryset ``update``): even with an
# unchanged stamp, nothing is kept longer than this.
KEEP_SECONDS = 60.0

_T = TypeVar("_T")


class ConfigurationCache:
    """Values loaded on first use and kept while the shared stamp of ``name`` is unchanged
    (and at most ``seconds``); a row of the ``sources`` saved or deleted sets a new stamp.

    The signals are connected here, where the values are kept: a process that never imported
    a cache has nothing to drop, and one that saves a row tells the others through the stamp.
    """

    def __init__(
        self, name: str, *, sources: tuple[type[Model], ...], seconds: float = KEEP_SECONDS
    ) -> None:
        self.seconds = seconds
        self.stamp_key = f"desk:configuration:{name}"
        self._values: dict[Hashable, tuple[float, str, object]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        for model in sources:
            for signal in (post_save, post_delete):
                uid = f"{name}_{model._meta.label}"
                signal.connect(self.changed, sender=model, dispatch_uid=uid)

    def get(self, key: Hashable, load: Callable[[], _T]) -> _T:
        now = time.monotonic()
        stamp = self._stamp()
        kept = self._values.get(key)
        if kept is not None and stamp is not None and kept[1] == stamp and now < kept[0]:
            return cast(_T, kept[2])  # each key is loaded by the one ``load`` its caller gives
        generation = self._generation
        value = load()
        with self._lock:
            # A change saved while loading may not be in ``value``: it is not kept.
            if stamp is not None and generation == self._generation:
                self._values[key] = (now + self.seconds, stamp, value)
        return value

    def clear(self, *args, **kwargs) -> None:
        """Drop this process's values; takes a signal's arguments and ignores them."""
        with self._lock:
            self._generation += 1
            self._values.clear()

    def changed(self, *args, **kwargs) -> None:
        """A row of the sources was saved or deleted: drop the values here now, and give every
        process a new stamp once the change is committed and readable."""
        self.clear()
        transaction.on_commit(self._restamp)

    def _restamp(self) -> None:
        self.clear()
        try:
            cache.set(self.stamp_key, uuid.uuid4().hex, timeout=None)
        except Exception:  # noqa: BLE001 - unreadable stamps keep nothing, so still correct
            logger.warning("Could not share a configuration change through the cache.")

    def _stamp(self) -> str | None:
        try:
            stamp = cache.get(self.stamp_key)
            if stamp is None:
                stamp = uuid.uuid4().hex
                # Another process may have set it meanwhile: theirs stands, read it back.
                cache.add(self.stamp_key, stamp, timeout=None)
                stamp = cache.get(self.stamp_key)
        except Exception:  # noqa: BLE001 - the cache is down: read the tables every time
            return None
        return stamp
