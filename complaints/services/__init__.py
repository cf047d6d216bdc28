"""Every change to complaints goes through these functions."""

from complaints.services.actions import complaint_act
from complaints.services.evidence import evidence_add
from complaints.services.intake import ComplaintInput, complaint_create
from complaints.services.photos import complaint_act_with_photos
from complaints.services.submissions import complaint_submit

__all__ = [
    "ComplaintInput",
    "complaint_act",
    "complaint_act_with_photos",
    "complaint_create",
    "complaint_submit",
    "evidence_add",
]
