"""What every text-message backend takes and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class TextMessage:
    # E.164, such as ``+8613812345678``.
    phone: str
    # The message kind, which names its template: ``received``, ``planned``…
    kind: str
    # The template's variables by name, in the order ``TEMPLATE_VARIABLES`` gives for the kind.
    params: dict[str, str] = field(default_factory=dict)
    # The whole message in the resident's language, as the desk shows it.
    text: str = ""


class Outcome(StrEnum):
    SENT = "sent"
    # Throttled, or the network: the same message may go through later.
    RETRY = "retry"
    # It never will: an invalid number, a template refused.
    FAILED = "failed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    # The provider's code and message, for the outbox row; never a credential.
    detail: str = ""
    # The provider's id for the message, when it gave one.
    provider_id: str = ""


# Each kind's template variables, in order. Tencent's templates number them ({1}, {2}…) in this
# order; Alibaba Cloud's name them.
TEMPLATE_VARIABLES: dict[str, tuple[str, ...]] = {
    "received": ("reference", "link"),
    "planned": ("reference", "plan", "due"),
    "resolved": ("reference", "link"),
    "closed": ("reference", "link"),
    "callback_missed": ("reference",),
    "callback_new_time": ("reference", "time"),
    # A building-wide incident, to every resident it reaches.
    "incident_opened": ("title", "notice", "end"),
    "incident_updated": ("title", "notice", "end"),
    "incident_resolved": ("title", "outcome"),
    # To staff: an urgent complaint handed to them.
    "dispatch": ("reference", "summary", "link"),
    # Several messages that were due at once, sent as one.
    "digest": ("count", "link"),
}


class SmsBackend:
    """Sends one message and says how it went; raises nothing it can answer as a Result."""

    def send(self, message: TextMessage) -> Result:
        raise NotImplementedError
