"""Fixed-window counters on the shared cache: how many tries one address, or one reference,
has made in the current hour.

``cache.add`` starts a window's count only if it is not there yet, and ``cache.incr`` is an
atomic INCR on Redis, so every web process counts into the same number. (The file-based cache
of a local run counts well enough for one process.) A window's key names its hour, so a count
ends with its window and a client never waits longer than that.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Tries:
    count: int
    limit: int
    # Seconds until the window ends and counting starts again.
    retry_after: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def _key(scope: str, subject: str, window: int) -> str:
    # Hashed: a reference or an address, whatever it holds, makes a short key of safe characters.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"portal:tries:{scope}:{digest}:{window}"


def try_count(*, scope: str, subject: str, limit: int, now: float | None = None) -> Tries:
    """Count one more try by ``subject`` (an address, a reference) in this hour's window."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = _key(scope, subject, window)
    # Kept a little past its window, so that a slow clock elsewhere still finds it.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr: this try starts the window again.
        cache.add(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    retry_after = (window + 1) * WINDOW_SECONDS - int(now)
    return Tries(count=count, limit=limit, retry_after=max(retry_after, 1))
