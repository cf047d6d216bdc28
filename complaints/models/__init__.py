from complaints.models.categories import Category
from complaints.models.choices import (
    Channel,
    Clock,
    DeadlineKind,
    DeadlineState,
    DesiredOutcome,
    EscalationReason,
    Liability,
    Satisfaction,
    Severity,
    Stage,
    Validity,
)
from complaints.models.complaint import Complaint
from complaints.models.records import (
    Callback,
    ComplaintEvent,
    Deadline,
    DeadlinePolicy,
    Escalation,
    Evidence,
    ReferenceCounter,
)
from complaints.models.submissions import SubmissionDoor, SubmissionKey

__all__ = [
    "Callback",
    "Category",
    "Channel",
    "Clock",
    "Complaint",
    "ComplaintEvent",
    "Deadline",
    "DeadlineKind",
    "DeadlinePolicy",
    "DeadlineState",
    "DesiredOutcome",
    "Escalation",
    "EscalationReason",
    "Evidence",
    "Liability",
    "ReferenceCounter",
    "Satisfaction",
    "Severity",
    "Stage",
    "SubmissionDoor",
    "SubmissionKey",
    "Validity",
]
