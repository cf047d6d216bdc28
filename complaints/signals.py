"""What the complaint records tell the rest of the desk, without knowing who listens.

``history_changed`` is sent inside the transaction of a write that changes what was true of
the past: from the instant ``since`` on, the records of ``estate_id`` (every estate when None)
now say something other than they said before. Writes of the present send nothing. A reader
that keeps figures derived from the past (the weekly summary's stored weeks) listens, and its
note of the change commits or rolls back with the change itself.
"""

from django.dispatch import Signal

history_changed = Signal()  # since: datetime, estate_id: int | None

# Sent inside the transaction of the write, for whoever tells people about it (the outbox):
# what it writes then commits or rolls back with the complaint. Each ``complaint`` and each
# escalation's or deadline's ``complaint`` comes with its estate, category and unit read.

# A complaint was logged: ``complaint``, ``now``, ``escalation`` (a repeat's, or None) and
# ``supervisors``, the people at level 1 when it is urgent or a repeat (else empty).
complaint_received = Signal()
# Escalations were raised: ``escalations`` (each with its complaint) and ``now``.
escalations_raised = Signal()
# Open escalations are still waiting: ``reminders``, pairs of (escalation, how many times it
# has been reminded), and ``now``.
escalations_waiting = Signal()
# Deadlines reached their reminder time: ``deadlines`` (each with its complaint) and ``now``.
deadlines_due_soon = Signal()
# A complaint was handed to a department or a person (派单): ``complaint``, with its
# ``department`` and ``assignee`` as they now stand (the assignee None when the department is
# to say who takes it), and ``now``.
complaint_dispatched = Signal()
# A workflow action was carried out, the resident rated the complaint (``action`` "rated"),
# or an escalation's acknowledgement agreed a new callback time ("escalation_acknowledged"):
# ``complaint`` as it now stands (estate, category and unit read), ``action`` and ``now``.
# Sent after the change and its timeline entry are written.
complaint_progressed = Signal()
# A building-wide incident was opened, updated or resolved: ``incident`` (with its estate and
# category read), ``kind`` (incident_opened, incident_updated, incident_resolved) and ``now``.
# Its residents are to be told once each.
incident_changed = Signal()
# The sweep found incident deadlines missed: ``escalations`` (IncidentEscalation rows, with
# their incident, its estate and category, and the deadline read) and ``now``.
incident_escalated = Signal()
