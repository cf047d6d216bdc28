from complaints.models.categories import Category
from complaints.models.choices import (
    RESIDENT_RATINGS,
    Channel,
    Clock,
    DeadlineKind,
    DeadlineState,
    DesiredOutcome,
    EscalationReason,
    Liability,
    Satisfaction,
    SatisfactionSource,
    Severity,
    Stage,
    Validity,
)
from complaints.models.complaint import Complaint
from complaints.models.incidents import Incident, IncidentEvent, IncidentStage
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
    "RESIDENT_RATINGS",
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
    "Incident",
    "IncidentEvent",
    "IncidentStage",
    "Liability",
    "ReferenceCounter",
    "Satisfaction",
    "SatisfactionSource",
    "Severity",
    "Stage",
    "SubmissionDoor",
    "SubmissionKey",
    "Validity",
]
