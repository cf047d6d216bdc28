"""Small helpers shared by the API tests: a fixed office clock, clients, URLs and files."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import time_machine
from PIL import Image
from rest_framework.test import APIClient

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday morning, well inside the default opening hours (08:30–18:00).
WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)

# The keys of the complaint in SPEC §7; the serializer may add more, never fewer.
COMPLAINT_KEYS = {
    "reference",
    "estate",
    "unit",
    "unit_label",
    "resident",
    "contact_name",
    "contact_phone",
    "channel",
    "category",
    "severity",
    "summary",
    "account",
    "desired_outcome",
    "stage",
    "validity",
    "escalation_level",
    "department",
    "assignee",
    "repeat_of",
    "incident",
    "received_at",
    "closed_at",
    "satisfaction",
    "satisfaction_source",
    "status_url",
    "version",
    "deadlines",
    "actions",
}
DEADLINE_KEYS = {"kind", "due_at", "met_at", "state"}
EVENT_KEYS = {"at", "actor", "kind", "from_stage", "to_stage", "data"}
ESCALATION_KEYS = {
    "id",
    "complaint",
    "level",
    "reason",
    "deadline_kind",
    "created_at",
    "acknowledged_at",
    "acknowledged_by",
}
NOT_FOUND = {"detail": "Not found."}


def office_clock():
    """The clock stands still at WEDNESDAY_10AM until a test shifts it."""
    return time_machine.travel(WEDNESDAY_10AM, tick=False)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def complaint_url(reference: str) -> str:
    return f"/api/v1/complaints/{reference}/"


def action_url(reference: str, action: str) -> str:
    return f"/api/v1/complaints/{reference}/actions/{action}/"


def events_url(reference: str) -> str:
    return f"/api/v1/complaints/{reference}/events/"


def evidence_url(reference: str) -> str:
    return f"/api/v1/complaints/{reference}/evidence/"


def act(client: APIClient, reference: str, action: str, body: dict | None = None):
    return client.post(action_url(reference, action), body or {}, format="json")


def instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def deadlines_by_kind(body: dict) -> dict[str, dict]:
    return {deadline["kind"]: deadline for deadline in body["deadlines"]}


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
