"""How the pages and exports word what the database holds: time left, timeline entries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from complaints.models import (
    Category,
    Channel,
    DeadlineKind,
    DeadlineState,
    EscalationReason,
    Liability,
    Satisfaction,
    SatisfactionSource,
    Severity,
    Stage,
    Validity,
)
from complaints.workflow import ACTIONS
from residents.models import Estate
from residents.names import names_list
from staff.models import Department
from staff.names import person_names_of

# Timeline kinds that are not workflow actions; an action's kind is its name in ACTIONS.
EVENT_LABELS = {
    "created": gettext_lazy("Complaint logged"),
    "escalated": gettext_lazy("Escalated"),
    "evidence_added": gettext_lazy("Evidence added"),
    "escalation_acknowledged": gettext_lazy("Escalation acknowledged"),
    "deadline_recomputed": gettext_lazy("Deadline recomputed"),
    "released": gettext_lazy("Hold ended"),
    "rated": gettext_lazy("Rated by the resident"),
    "incident_resolved": gettext_lazy("Resolved with its building-wide incident"),
}

DATA_LABELS = {
    "validity": gettext_lazy("validity"),
    "department": gettext_lazy("department"),
    "assignee": gettext_lazy("assignee"),
    "callback_due_at": gettext_lazy("agreed callback"),
    "deadlines_met": gettext_lazy("deadlines met"),
    "cause": gettext_lazy("cause"),
    "liability": gettext_lazy("liability"),
    "satisfaction": gettext_lazy("satisfaction"),
    "level": gettext_lazy("escalation level"),
    "reason": gettext_lazy("reason"),
    "reached": gettext_lazy("reached the resident"),
    "next_callback_at": gettext_lazy("next agreed callback"),
    "until": gettext_lazy("on hold until"),
    "name": gettext_lazy("file"),
    "size": gettext_lazy("size"),
    "channel": gettext_lazy("channel"),
    "received_at": gettext_lazy("received at"),
    "backdated": gettext_lazy("entered later (back-dated)"),
    "entered_at": gettext_lazy("entered at"),
    "repeat_of": gettext_lazy("repeat of"),
    "closed_at": gettext_lazy("closed at"),
    "kind": gettext_lazy("deadline"),
    "deadline": gettext_lazy("deadline"),
    "due_at": gettext_lazy("due at"),
    "before": gettext_lazy("was"),
    "after": gettext_lazy("now"),
    "sent_with": gettext_lazy("sent with"),
    "rating": gettext_lazy("rating"),
    "source": gettext_lazy("recorded by"),
    "reopened": gettext_lazy("reopened"),
    "incident": gettext_lazy("building-wide incident"),
}
CHOICES = {
    "validity": Validity,
    "liability": Liability,
    "satisfaction": Satisfaction,
    "rating": Satisfaction,
    "source": SatisfactionSource,
    "reason": EscalationReason,
    "channel": Channel,
    "deadlines_met": DeadlineKind,
    "kind": DeadlineKind,
    "deadline": DeadlineKind,
    "severity": Severity,
}
# Ids that the page shows in other ways (the evidence thumbnail, the escalation row).
HIDDEN_DATA = {"evidence", "escalation"}
# What made the desk recompute a deadline (services.recompute), worded as one sentence.
RECOMPUTE_CAUSE_KEYS = {"calendar_of", "policy_change", "category", "severity"}
POLICY_CHANGES = {
    "added": gettext_lazy("A deadline policy for %(scope)s was added."),
    "changed": gettext_lazy("The deadline policy for %(scope)s was changed."),
    "removed": gettext_lazy("The deadline policy for %(scope)s was removed."),
}
DATETIME_KEYS = {
    "callback_due_at",
    "next_callback_at",
    "until",
    "received_at",
    "entered_at",
    "closed_at",
    "due_at",
    "before",
    "after",
}


def choice_labels(choices) -> dict[str, str]:
    """Each value of a choices class with its label in the active language. A page that shows
    a label on every row translates them once with this; ``get_FOO_display`` rebuilds and
    translates the whole list of choices at every call."""
    return {value: str(label) for value, label in choices.choices}


def local(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    """A moment in the estate's time zone, in the reader's short date-time format."""
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value, zone), "SHORT_DATETIME_FORMAT")


def duration(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@dataclass(frozen=True)
class TimeLeft:
    text: str
    overdue: bool


def time_left(due_at: dt.datetime, now: dt.datetime | None = None) -> TimeLeft:
    now = now or timezone.now()
    if due_at < now:
        return TimeLeft(_("%(duration)s overdue") % {"duration": duration(now - due_at)}, True)
    return TimeLeft(_("%(duration)s left") % {"duration": duration(due_at - now)}, False)


def deadline_state(deadline, now: dt.datetime | None = None) -> str:
    """As the API reports it: a pending deadline whose time has passed reads as missed."""
    now = now or timezone.now()
    if deadline.state == DeadlineState.PENDING and deadline.due_at < now:
        return DeadlineState.MISSED
    return deadline.state


def event_label(kind: str) -> str:
    if kind in ACTIONS:
        return str(ACTIONS[kind].label)
    if kind in EVENT_LABELS:
        return str(EVENT_LABELS[kind])
    return kind.replace("_", " ")


# The procedure's names for its stages, as the timeline tells the way a complaint went; lists
# and badges show a complaint's status instead (Stage's labels: 待受理, 处理中 …).
STAGE_NAMES = {
    Stage.INTAKE: pgettext_lazy("procedure stage", "intake"),
    Stage.CLARIFICATION: pgettext_lazy("procedure stage", "clarification"),
    Stage.RESOLUTION: pgettext_lazy("procedure stage", "resolution"),
    Stage.FOLLOW_UP: pgettext_lazy("procedure stage", "follow-up"),
    Stage.CLOSED: pgettext_lazy("procedure stage", "closed"),
}


def stage_label(stage: str) -> str:
    """A complaint's status in this stage."""
    return str(Stage(stage).label) if stage in Stage.values else stage


def stage_name(stage: str) -> str:
    """The procedure's name of the stage."""
    return str(STAGE_NAMES[Stage(stage)]) if stage in Stage.values else stage


class EventWording:
    """Turns an event's ``data`` into (label, text) pairs; one instance per page. ``people``:
    the names of the usernames the events hold (``people_named_in``), shown instead of them."""

    def __init__(self, zone: zoneinfo.ZoneInfo, people: dict[str, str] | None = None) -> None:
        self.zone = zone
        self.people = people or {}
        self._departments: dict[str, str] | None = None
        self._estates: dict[str, str] = {}
        self._categories: dict[str, str] = {}

    def cause(self, data: dict) -> str:
        """Why the desk recomputed a deadline: the calendar or the policy that changed."""
        if code := data.get("calendar_of"):
            if code not in self._estates:
                estate = Estate.objects.filter(code=code).first()
                self._estates[code] = estate.name if estate else code
            return _("The business calendar of %(estate)s was changed.") % {
                "estate": self._estates[code]
            }
        if data.get("policy_change") not in POLICY_CHANGES:
            return ""
        code = data.get("category") or ""
        if code not in self._categories:
            category = Category.objects.filter(code=code).first() if code else None
            self._categories[code] = category.name if category else _("every category")
        scope = _("%(category)s, %(severity)s") % {
            "category": self._categories[code],
            "severity": self.value("severity", data.get("severity")),
        }
        return str(POLICY_CHANGES[data["policy_change"]]) % {"scope": scope}

    def _department(self, code) -> str:
        if code in (None, ""):
            return "—"
        if self._departments is None:
            self._departments = {d.code: d.name for d in Department.objects.all()}
        return self._departments.get(code, str(code))

    def value(self, key: str, value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, dict) and set(value) <= {"before", "after"}:
            return f"{self.value(key, value.get('before'))} → {self.value(key, value.get('after'))}"
        if isinstance(value, list):
            return names_list(self.value(key, item) for item in value) or "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if key == "department":
            return self._department(value)
        if key == "assignee":
            return self.people.get(value, str(value))
        if key == "sent_with":
            return event_label(value)
        if key in CHOICES and value in CHOICES[key].values:
            return str(CHOICES[key](value).label)
        if key in DATETIME_KEYS and isinstance(value, str):
            try:
                return local(dt.datetime.fromisoformat(value), self.zone)
            except ValueError:
                return value
        if key == "size" and isinstance(value, int):
            return str(filesizeformat(value))
        return str(value)

    def details(self, data: dict) -> list[tuple[str, str]]:
        rows = []
        data = data or {}
        # A recompute's cause is worded by ``cause``, not listed field by field.
        worded = "calendar_of" in data or data.get("policy_change") in POLICY_CHANGES
        hidden = HIDDEN_DATA | (RECOMPUTE_CAUSE_KEYS if worded else set())
        for key, value in data.items():
            if key in hidden or (key == "deadlines_met" and not value):
                continue
            label = DATA_LABELS.get(key, key.replace("_", " "))
            rows.append((str(label), self.value(key, value)))
        return rows


def people_named_in(events) -> dict[str, str]:
    """The names of everyone the events' data name by username (who was assigned), read in
    one query for the whole timeline, and none when nobody is named."""
    usernames: list[str] = []
    for event in events:
        assignee = (event.data or {}).get("assignee")
        if isinstance(assignee, dict):
            usernames.extend(v for v in assignee.values() if isinstance(v, str))
        elif isinstance(assignee, str):
            usernames.append(assignee)
    return person_names_of(usernames)


def deadline_explanation(explanation: dict, zone: zoneinfo.ZoneInfo) -> list[str]:
    """Why a deadline lands where it does, in sentences (SPEC §5, the explainable clock)."""

    def when(key: str) -> str:
        try:
            return local(dt.datetime.fromisoformat(explanation[key]), zone)
        except (KeyError, TypeError, ValueError):
            return ""

    lines = []
    if explanation.get("agreed_with_resident"):
        lines.append(_("Agreed with the resident."))
    if started := when("started_at"):
        lines.append(_("Clock started %(when)s.") % {"when": started})
    if opening := when("clock_started_at_opening"):
        lines.append(
            _("Received outside opening hours: counted from %(when)s.") % {"when": opening}
        )
    clock = explanation.get("clock")
    if clock == "business":
        lines.append(
            _("Business time of the calendar %(calendar)s (%(zone)s).")
            % {
                "calendar": explanation.get("calendar", ""),
                "zone": explanation.get("time_zone", ""),
            }
        )
    elif clock == "calendar":
        lines.append(_("Around the clock."))
    if days := explanation.get("working_days"):
        lines.append(_("Allowed: %(days)d working days.") % {"days": days})
    minutes = explanation.get("business_minutes") or explanation.get("minutes")
    if minutes:
        lines.append(
            _("Allowed: %(duration)s.") % {"duration": duration(dt.timedelta(minutes=minutes))}
        )
    for pause in explanation.get("pauses", []):
        try:
            start = local(dt.datetime.fromisoformat(pause["from"]), zone)
            end = local(dt.datetime.fromisoformat(pause["to"]), zone)
        except (KeyError, TypeError, ValueError):
            continue
        lines.append(
            _("On hold from %(start)s to %(end)s; the deadline moved by %(duration)s.")
            % {
                "start": start,
                "end": end,
                "duration": duration(dt.timedelta(minutes=pause.get("minutes", 0))),
            }
        )
    if paused := when("paused_at"):
        lines.append(_("On hold since %(when)s.") % {"when": paused})
    return lines
