"""The "send now" publisher: commits only wake it; one publish serves every commit before it."""

import threading
import time

from notifications import publisher as notifications
from notifications.publisher import PUBLISH_PAUSE_SECONDS, Publisher


class Broker:
    """Records when each publish started; a publish takes ``seconds``, as a round trip would."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.started: list[float] = []
        self.threads: set[str] = set()

    def publish(self) -> None:
        self.started.append(time.monotonic())
        self.threads.add(threading.current_thread().name)
        time.sleep(self.seconds)


def _settled(broker: Broker, quiet: float = 3 * PUBLISH_PAUSE_SECONDS) -> list[float]:
    """The publishes once none has started for ``quiet`` seconds."""
    count = -1
    while count != len(broker.started):
        count = len(broker.started)
        time.sleep(quiet)
    return broker.started


def test_a_burst_of_commits_shares_a_few_publishes_and_the_last_comes_after_the_last_commit():
    broker = Broker(seconds=0.005)
    publisher = Publisher(publish=broker.publish)
    commits = []

    for _ in range(200):
        commits.append(time.monotonic())
        publisher.wake()
        time.sleep(0.002)

    started = _settled(broker)
    burst = commits[-1] - commits[0]
    assert 1 <= len(started) <= burst / PUBLISH_PAUSE_SECONDS + 2, (len(started), burst)
    assert started[-1] >= commits[-1]
    assert broker.threads == {"desk-publish"}


def test_a_commit_after_a_quiet_spell_is_published_on_its_own():
    broker = Broker()
    publisher = Publisher(publish=broker.publish)

    publisher.wake()
    first = _settled(broker)[:]
    woken = time.monotonic()
    publisher.wake()
    both = _settled(broker)

    assert len(first) == 1
    assert len(both) == 2
    assert both[1] >= woken


def test_a_commit_never_waits_for_a_slow_broker():
    broker = Broker(seconds=1.0)
    publisher = Publisher(publish=broker.publish)

    started = time.monotonic()
    for _ in range(50):
        publisher.wake()
        last_commit = time.monotonic()
    elapsed = last_commit - started

    assert elapsed < 0.5
    published = _settled(broker, quiet=1.5)
    assert 1 <= len(published) <= 2
    assert published[-1] >= last_commit


def test_a_forked_process_gets_a_publisher_of_its_own():
    before = notifications._publisher

    notifications._publisher_reset()

    assert notifications._publisher is not before
    assert isinstance(notifications._publisher, Publisher)
