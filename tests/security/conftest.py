"""A small world of two estates for the security tests, built through the real services.

Estate A (HY) and estate B (JD), a resident and a unit in each, the five roles of the matrix
and three complaints, each with a photo:

- ``eng_a``: estate A, handed to engineering (ENG), escalated once (level 1: supervisors);
- ``sec_a``: estate A, handed to security & order (SEC);
- ``b``: estate B, handed to engineering, escalated twice (levels 1 and 2: managers too).

The handler works in ENG and covers estate A only, so ``eng_a`` is his, ``sec_a`` belongs to
another department and ``b`` to another estate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from complaints import services
from complaints.models import Complaint, Escalation, Evidence, Incident
from complaints.services.incidents import IncidentInput, incident_open
from complaints.status_links import status_token
from staff.tokens import api_token_issue
from tests.complaints.api_helpers import WEDNESDAY_10AM, image_bytes
from tests.factories import (
    BuildingFactory,
    EstateFactory,
    ResidentFactory,
    UnitFactory,
    category,
    log_complaint,
    make_staff,
)

ROLES = ("fd_a", "fd_b", "handler", "supervisor", "manager")


@dataclasses.dataclass
class World:
    users: dict
    complaints: dict[str, Complaint]
    evidence: dict[str, Evidence]
    escalations: dict[str, Escalation]
    residents: dict
    units: dict
    # Each role's API token: its prefix (as its owner sees it) and the token itself.
    tokens: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    incidents: dict[str, Incident] = dataclasses.field(default_factory=dict)

    def ids(self) -> dict[str, object]:
        """The placeholders a path template may name: {eng_a}, {ev_b}, {esc_b2}, {res_a} …"""
        names: dict[str, object] = {k: c.reference for k, c in self.complaints.items()}
        names.update({f"ev_{k}": e.pk for k, e in self.evidence.items()})
        names.update({f"esc_{k}": e.pk for k, e in self.escalations.items()})
        names.update({f"res_{k}": r.pk for k, r in self.residents.items()})
        names.update({f"unit_{k}": u.pk for k, u in self.units.items()})
        names.update({f"tok_{k}": prefix for k, (prefix, _token) in self.tokens.items()})
        names.update({f"inc_{k}": incident.pk for k, incident in self.incidents.items()})
        # The world sets no DESK_SMS_REPLY_SECRET: no reply address answers, whatever its secret.
        names["reply_secret"] = "a-guessed-secret"
        names.update({f"link_{k}": status_token(c) for k, c in self.complaints.items()})
        return names

    def page_client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client

    def api_client(self, role: str) -> Client:
        """Token authentication, as an integration would call the API."""
        if role == "anonymous":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Token {self.tokens[role][1]}")


def _photo(complaint: Complaint, actor, name: str = "photo.png") -> Evidence:
    return services.evidence_add(
        reference=complaint.reference,
        actor=actor,
        upload=SimpleUploadedFile(name, image_bytes(), content_type="image/png"),
    )


def _hand_to(complaint: Complaint, actor, department: str) -> None:
    services.complaint_act(reference=complaint.reference, actor=actor, action="accept")
    services.complaint_act(
        reference=complaint.reference,
        actor=actor,
        action="plan_resolution",
        data={
            "validity": "valid",
            "department": department,
            "plan": "派人处理",
            "callback_due_at": WEDNESDAY_10AM + dt.timedelta(days=3),
        },
    )


def _escalate(complaint: Complaint, actor) -> Escalation:
    services.complaint_act(
        reference=complaint.reference,
        actor=actor,
        action="escalate",
        data={"reason": "unsatisfied", "note": "住户不满意"},
    )
    return Escalation.objects.filter(complaint=complaint).latest("id")


def _build_world() -> World:
    estate = EstateFactory(code="HY", name="海悦花园")
    other_estate = EstateFactory(code="JD", name="锦都名苑")
    frontdesk = make_staff("frontdesk", role="front_desk", department="CS", estates=[estate])
    frontdesk_b = make_staff(
        "frontdesk_b", role="front_desk", department="CS", estates=[other_estate]
    )
    handler = make_staff("handler", role="handler", department="ENG", estates=[estate])
    supervisor, manager = (
        make_staff(name, role=name, department="CS", estates=[estate, other_estate])
        for name in ("supervisor", "manager")
    )
    for user in (supervisor, manager):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    unit_a = UnitFactory(
        building=BuildingFactory(estate=estate, name="3号楼"), entrance="2", room="1201"
    )
    unit_b = UnitFactory(
        building=BuildingFactory(estate=other_estate, name="1号楼"), entrance="1", room="0101"
    )
    resident_a = ResidentFactory(name="住户王芳", phone="13812345678", units=[unit_a])
    resident_b = ResidentFactory(name="住户李雷", phone="13900001111", units=[unit_b])
    with time_machine.travel(WEDNESDAY_10AM, tick=False):
        eng_a = log_complaint(frontdesk, estate=estate, unit=unit_a, resident=resident_a)
        sec_a = log_complaint(frontdesk, estate=estate, category="SEC-NOISE", summary="夜间噪音")
        b = log_complaint(frontdesk_b, estate=other_estate, unit=unit_b, resident=resident_b)
        _hand_to(eng_a, frontdesk, "ENG")
        _hand_to(sec_a, frontdesk, "SEC")
        _hand_to(b, frontdesk_b, "ENG")
        evidence = {
            "eng_a": _photo(eng_a, frontdesk),
            "sec_a": _photo(sec_a, frontdesk),
            "b": _photo(b, frontdesk_b),
        }
        escalations = {"a1": _escalate(eng_a, frontdesk), "b1": _escalate(b, frontdesk_b)}
        escalations["b2"] = _escalate(b, frontdesk_b)
    assert [e.level for e in escalations.values()] == [1, 1, 2]
    incidents = {
        key: incident_open(
            actor=supervisor,
            data=IncidentInput(
                estate=place, category=category("FAC-UTIL"), title="停水", notice="抢修中"
            ),
        )
        for key, place in (("a", estate), ("b", other_estate))
    }
    users = {
        "fd_a": frontdesk,
        "fd_b": frontdesk_b,
        "handler": handler,
        "supervisor": supervisor,
        "manager": manager,
    }
    issued = {role: api_token_issue(user=user) for role, user in users.items()}
    return World(
        users=users,
        complaints={"eng_a": eng_a, "sec_a": sec_a, "b": b},
        evidence=evidence,
        escalations=escalations,
        residents={"a": resident_a, "b": resident_b},
        units={"a": unit_a, "b": unit_b},
        tokens={role: (stored.token_key, token) for role, (stored, token) in issued.items()},
        incidents=incidents,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Built once per test module inside a transaction of its own, which each test's own
    transaction nests in (as Django's TestCase.setUpTestData does) and which is rolled back
    after the module: every test sees the same fresh world, and what it changes goes away."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)
