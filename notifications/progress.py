"""What the resident is told as their complaint moves on (SPEC §9.2): a text message to its
contact phone at each step, written in the transaction of the change. Quiet hours, the day's
limit and stopped numbers are the outbox's and the sender's business."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaints.models import Complaint, Deadline, DeadlineKind, DeadlineState
from complaints.status_links import rating_url, status_url
from notifications.models import Notification
from notifications.outbox import Outbox
from residents.models import Estate

# The longest plan a message quotes; the status page shows all of it.
PLAN_MAX = 60


def local_minute(estate: Estate, when: dt.datetime | None) -> str:
    """A time as a text message gives it, in the estate's zone: ``2026-03-10 16:00``."""
    if when is None:
        return ""
    return timezone.localtime(when, estate.zone).strftime("%Y-%m-%d %H:%M")


def _sentences(*parts: str) -> str:
    """Sentences of one message: Chinese runs them on, English leaves a space, and a link
    keeps a space after it so that a phone does not read the next words into it."""
    chinese = (get_language() or "").startswith("zh")
    parts = tuple(part for part in parts if part)  # a sentence left out
    text = parts[0]
    for part in parts[1:]:
        text += ("" if chinese and not text.endswith("/") else " ") + part
    return text


def _stop_hint() -> str:
    return _("Reply TD to stop these messages.")


def notify_received(*, outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    """The receipt: its reference and the status link. It goes even to a stopped number."""
    outbox.to_resident(
        complaint=complaint,
        kind="received",
        key=f"c{complaint.pk}:received",
        urgent=True,
        params=lambda: {"reference": complaint.reference, "link": status_url(complaint)},
        body=lambda: (
            _(
                "Your complaint %(reference)s has been received. We will call you back; "
                "quote this reference if you contact us. Follow it here: %(link)s"
            )
            % {"reference": complaint.reference, "link": status_url(complaint)}
        ),
        now=now,
    )


def _latest(complaint: Complaint, kind: str, *states: str) -> Deadline | None:
    """The complaint's latest deadline of ``kind`` still running (in one of ``states``)."""
    return (
        Deadline.objects.filter(complaint=complaint, kind=kind, state__in=states)
        .order_by("-due_at")
        .first()
    )


# The sentence ends the plan with its own stop: the plan's own (。 or .) is left off.
CLOSING_STOPS = "。.！!；;，, "


def _quoted(text: str) -> str:
    text = text.strip().rstrip(CLOSING_STOPS)
    return text if len(text) <= PLAN_MAX else text[: PLAN_MAX - 1] + "…"


def _planned(outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    """What will be done, and by when it is due. It carries a time: not held by the day's
    limit, where it would arrive after that time."""
    deadline = _latest(
        complaint, DeadlineKind.RESOLUTION, DeadlineState.PENDING, DeadlineState.PAUSED
    )
    # A complaint linked to an open building-wide incident has no resolution deadline of its
    # own: it is done when the incident is, so the incident's expected end is the time.
    incident = complaint.incident if complaint.incident_id is not None else None
    end = deadline.due_at if deadline is not None else incident.expected_end if incident else None
    # An incident's end already past is no time to give (the deadline's is: it is owed).
    passed = deadline is None and end is not None and end <= now
    due = local_minute(complaint.estate, end) if end is not None and not passed else ""
    plan = _quoted(complaint.plan)

    def body():
        by = _("To be done by %(due)s.") % {"due": due} if due else ""
        return _sentences(
            _("Complaint %(reference)s: what we will do: %(plan)s.")
            % {"reference": complaint.reference, "plan": plan},
            by,
            _stop_hint(),
        )

    outbox.to_resident(
        complaint=complaint,
        kind="planned",
        key=f"c{complaint.pk}:v{complaint.version}:planned",
        urgent=True,
        params=lambda: {"reference": complaint.reference, "plan": plan, "due": due or "-"},
        body=body,
        now=now,
    )


def _resolved(
    outbox: Outbox, complaint: Complaint, now: dt.datetime, *, urgent: bool = False
) -> None:
    link = status_url(complaint)
    outbox.to_resident(
        complaint=complaint,
        kind="resolved",
        urgent=urgent,
        key=f"c{complaint.pk}:v{complaint.version}:resolved",
        params=lambda: {"reference": complaint.reference, "link": link},
        body=lambda: _sentences(
            _(
                "Complaint %(reference)s has been resolved. We will call you to ask "
                "whether you are satisfied. Details: %(link)s"
            )
            % {"reference": complaint.reference, "link": link},
            _stop_hint(),
        ),
        now=now,
    )


def notify_resolved(*, outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    """The caller hears that their complaint was resolved with its building-wide incident, with
    its status link. It stands for the incident's broadcast, which the day's limit does not
    hold either (quiet hours do)."""
    _resolved(outbox, complaint, now, urgent=True)


def _closed(outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    """With the rating link; or, once the resident has rated it, the status link."""
    rated = complaint.resident_rated_at is not None
    link = status_url(complaint) if rated else rating_url(complaint)

    def body():
        if rated:
            text = _("Complaint %(reference)s is closed. Thank you. Details: %(link)s")
        else:
            text = _("Complaint %(reference)s is closed. How did we do? Tell us here: %(link)s")
        return _sentences(text % {"reference": complaint.reference, "link": link}, _stop_hint())

    outbox.to_resident(
        complaint=complaint,
        kind="closed",
        key=f"c{complaint.pk}:v{complaint.version}:closed",
        params=lambda: {"reference": complaint.reference, "link": link},
        body=body,
        now=now,
    )


def _apology_unanswered(complaint: Complaint) -> bool:
    """An apology for a missed callback was written, and no new time has been sent since."""
    kinds = ("callback_missed", "callback_new_time", "planned")
    last = (
        Notification.objects.filter(
            complaint=complaint, audience=Notification.Audience.RESIDENT, kind__in=kinds
        )
        .order_by("-created_at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return last == "callback_missed"


def _new_time(outbox: Outbox, complaint: Complaint, now: dt.datetime) -> None:
    deadline = _latest(complaint, DeadlineKind.AGREED_CALLBACK, DeadlineState.PENDING)
    if deadline is None or not _apology_unanswered(complaint):
        return
    time = local_minute(complaint.estate, deadline.due_at)
    outbox.to_resident(
        complaint=complaint,
        kind="callback_new_time",
        key=f"c{complaint.pk}:v{complaint.version}:new-time",
        urgent=True,
        params=lambda: {"reference": complaint.reference, "time": time},
        body=lambda: _sentences(
            _("Complaint %(reference)s: we will call you back by %(time)s.")
            % {"reference": complaint.reference, "time": time},
            _stop_hint(),
        ),
        now=now,
    )


def notify_callback_missed(
    *, outbox: Outbox, deadline: Deadline, complaint: Complaint, now: dt.datetime
) -> None:
    """The agreed time to call passed without a call: an apology."""
    outbox.to_resident(
        complaint=complaint,
        kind="callback_missed",
        key=f"dl{deadline.pk}:apology",
        urgent=True,
        params=lambda: {"reference": complaint.reference},
        body=lambda: _sentences(
            _(
                "We are sorry: we did not call you back about complaint %(reference)s at "
                "the time we agreed. We will call you as soon as we can."
            )
            % {"reference": complaint.reference},
            _stop_hint(),
        ),
        now=now,
    )


# The workflow actions the resident hears of, and what they are told.
ON_ACTION = {
    "plan_resolution": _planned,
    "mark_resolved": _resolved,
    "close": _closed,
    "close_as_explained": _closed,
    "log_callback": _new_time,
    "escalation_acknowledged": _new_time,
}


def notify_progress(*, outbox: Outbox, complaint: Complaint, action: str, now: dt.datetime) -> None:
    message = ON_ACTION.get(action)
    if message is not None:
        message(outbox, complaint, now)
