"""One scoping rule for every API read and write: what a user may not see does not exist."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from complaints.models import Complaint, Escalation
from complaints.workflow import ACTIONS
from staff.models import StaffMember
from tests.complaints.api_helpers import (
    NOT_FOUND,
    WEDNESDAY_10AM,
    client_for,
    image_bytes,
    office_clock,
)
from tests.factories import UserFactory, log_complaint, make_staff

pytestmark = pytest.mark.django_db

MISSING = "TS-HY-261125-9999"


@pytest.fixture(autouse=True)
def clock():
    with office_clock() as traveller:
        yield traveller


def plan(reference: str, actor, department: str) -> None:
    services.complaint_act(reference=reference, actor=actor, action="accept")
    services.complaint_act(
        reference=reference,
        actor=actor,
        action="plan_resolution",
        data={
            "validity": "valid",
            "department": department,
            "plan": "派人处理",
            "callback_due_at": WEDNESDAY_10AM + dt.timedelta(hours=4),
        },
    )


@pytest.fixture
def hy_complaint(frontdesk, estate):
    """A complaint of estate HY, handed to engineering, with one photo."""
    complaint = log_complaint(frontdesk, estate=estate)
    plan(complaint.reference, frontdesk, "ENG")
    evidence = services.evidence_add(
        reference=complaint.reference,
        actor=frontdesk,
        upload=SimpleUploadedFile("lift.png", image_bytes(), content_type="image/png"),
    )
    return complaint.reference, evidence.pk


def reads(reference: str, evidence_pk: int) -> list[tuple[str, str]]:
    base = f"/api/v1/complaints/{reference}/"
    return [
        ("get", base),
        ("get", f"{base}events/"),
        ("get", f"{base}evidence/"),
        ("get", f"{base}evidence/{evidence_pk}/"),
        ("post", f"{base}evidence/"),
        *[("post", f"{base}actions/{name}/") for name in ACTIONS],
        ("post", f"{base}actions/no_such_action/"),
    ]


def same_answer(client, invisible: tuple[str, str], missing: tuple[str, str]) -> tuple:
    method, path = invisible
    hidden = getattr(client, method)(path, {})
    absent = getattr(client, missing[0])(missing[1], {})
    return (hidden.status_code, hidden.json(), hidden["Content-Type"]), (
        absent.status_code,
        absent.json(),
        absent["Content-Type"],
    )


def test_another_estate_gets_404_everywhere_exactly_as_for_a_missing_complaint(
    frontdesk_b, hy_complaint
):
    reference, evidence_pk = hy_complaint
    client = client_for(frontdesk_b)
    version = Complaint.objects.get(reference=reference).version

    for invisible, missing in zip(
        reads(reference, evidence_pk), reads(MISSING, evidence_pk), strict=True
    ):
        hidden, absent = same_answer(client, invisible, missing)
        assert hidden == absent, invisible
        assert hidden[0] == 404, invisible

    complaint = Complaint.objects.get(reference=reference)
    assert complaint.version == version
    assert complaint.evidence.count() == 1


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("add_note", {"text": "看不到也想写"}),
        ("escalate", {"reason": "other"}),
        ("log_callback", {"reached": True}),
        ("accept", {"version": 1}),
    ],
)
def test_a_valid_body_changes_nothing_it_cannot_see(frontdesk_b, hy_complaint, action, body):
    reference, _ = hy_complaint
    before = Complaint.objects.get(reference=reference).version
    client = client_for(frontdesk_b)

    hidden = client.post(f"/api/v1/complaints/{reference}/actions/{action}/", body, format="json")
    absent = client.post(f"/api/v1/complaints/{MISSING}/actions/{action}/", body, format="json")

    assert (hidden.status_code, hidden.json()) == (404, NOT_FOUND)
    assert (absent.status_code, absent.json()) == (404, NOT_FOUND)
    assert Complaint.objects.get(reference=reference).version == before


def test_another_estate_does_not_see_it_in_any_list(frontdesk_b, other_estate, hy_complaint):
    reference, _ = hy_complaint
    own = log_complaint(frontdesk_b, estate=other_estate).reference
    client = client_for(frontdesk_b)

    listed = [
        [row["reference"] for row in client.get("/api/v1/complaints/", params).json()["results"]]
        for params in ({}, {"q": reference}, {"estate": "HY"}, {"stage": "resolution"})
    ]

    assert listed == [[own], [], [], []]


def test_the_handler_sees_only_his_departments_complaints(
    handler, frontdesk, supervisor, estate, other_estate, hy_complaint
):
    engineering, _ = hy_complaint
    security = log_complaint(frontdesk, estate=estate, category="SEC-NOISE").reference
    plan(security, frontdesk, "SEC")
    not_yet_handed = log_complaint(frontdesk, estate=estate).reference
    other_estate_engineering = log_complaint(supervisor, estate=other_estate).reference
    plan(other_estate_engineering, supervisor, "ENG")
    client = client_for(handler)

    listed = [row["reference"] for row in client.get("/api/v1/complaints/").json()["results"]]

    assert listed == [engineering]
    assert client.get(f"/api/v1/complaints/{engineering}/").status_code == 200
    for reference in (security, not_yet_handed, other_estate_engineering):
        for path in ("", "events/", "evidence/"):
            hidden = client.get(f"/api/v1/complaints/{reference}/{path}")
            absent = client.get(f"/api/v1/complaints/{MISSING}/{path}")
            assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
            assert hidden.status_code == 404


def test_the_handler_loses_sight_when_it_is_handed_elsewhere(handler, supervisor, hy_complaint):
    reference, _ = hy_complaint
    client = client_for(handler)
    assert client.get(f"/api/v1/complaints/{reference}/").status_code == 200

    services.complaint_act(
        reference=reference, actor=supervisor, action="assign", data={"department": "SEC"}
    )

    response = client.get(f"/api/v1/complaints/{reference}/")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("role", ["supervisor", "manager"])
def test_supervisors_and_managers_see_both_estates(
    request, frontdesk, frontdesk_b, estate, other_estate, role
):
    hy = log_complaint(frontdesk, estate=estate).reference
    jd = log_complaint(frontdesk_b, estate=other_estate).reference
    client = client_for(request.getfixturevalue(role))

    listed = {row["reference"] for row in client.get("/api/v1/complaints/").json()["results"]}

    assert listed == {hy, jd}
    assert client.get(f"/api/v1/complaints/{hy}/").status_code == 200
    assert client.get(f"/api/v1/complaints/{jd}/events/").status_code == 200


def test_a_supervisor_of_one_estate_cannot_acknowledge_anothers_escalation(
    frontdesk_b, other_estate, estate
):
    jd = log_complaint(frontdesk_b, estate=other_estate).reference
    services.complaint_act(
        reference=jd, actor=frontdesk_b, action="escalate", data={"reason": "unsatisfied"}
    )
    escalation = Escalation.objects.get()
    supervisor_hy = make_staff("supervisor_hy", role="supervisor", estates=[estate])
    client = client_for(supervisor_hy)

    listed = client.get("/api/v1/escalations/").json()
    hidden = client.post(f"/api/v1/escalations/{escalation.id}/acknowledge/", {})
    absent = client.post("/api/v1/escalations/999999/acknowledge/", {})

    assert listed == []
    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
    assert hidden.status_code == 404
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def _no_staff_no_role() -> User:
    return UserFactory(username="visitor")


def _role_without_staff() -> User:
    user = UserFactory(username="groupie")
    user.groups.add(Group.objects.get(name="supervisor"))
    return user


def _staff_without_role(estate) -> User:
    user = UserFactory(username="clerk")
    StaffMember.objects.create(user=user).estates.set([estate])
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("kind", ["no staff, no role", "role, no staff", "staff, no role"])
def test_a_user_without_staff_record_or_role_sees_nothing(estate, resident, hy_complaint, kind):
    reference, evidence_pk = hy_complaint
    user = {
        "no staff, no role": _no_staff_no_role,
        "role, no staff": _role_without_staff,
        "staff, no role": lambda: _staff_without_role(estate),
    }[kind]()
    client = client_for(user)

    assert client.get("/api/v1/complaints/").json()["results"] == []
    assert client.get("/api/v1/complaints/", {"q": reference}).json()["results"] == []
    assert client.get("/api/v1/residents/", {"phone": "13812345678"}).json() == []
    for method, path in reads(reference, evidence_pk):
        response = getattr(client, method)(path, {})
        assert response.status_code == 404, path
    assert Complaint.objects.get(reference=reference).events.count() == 4


def test_a_user_without_staff_record_covers_no_estate(unit):
    client = client_for(_no_staff_no_role())

    assert client.get("/api/v1/estates/").json() == []
    assert client.get("/api/v1/units/").json() == []


def test_a_user_without_a_role_cannot_log_a_complaint_in_any_estate(estate):
    client = client_for(_staff_without_role(estate))

    response = client.post(
        "/api/v1/complaints/",
        {
            "estate": "HY",
            "contact_name": "王芳",
            "contact_phone": "13812345678",
            "channel": "phone",
            "category": "FAC-LIFT",
            "summary": "电梯停运",
            "account": "电梯停运",
        },
        format="json",
    )

    # The role is checked before the body: no role, no intake, whatever the body says.
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not log complaints."}
    assert not Complaint.objects.exists()


def test_the_superuser_sees_every_estate(frontdesk, frontdesk_b, estate, other_estate):
    hy = log_complaint(frontdesk, estate=estate).reference
    jd = log_complaint(frontdesk_b, estate=other_estate).reference
    admin = User.objects.create_superuser("admin", "admin@example.com", "demo")
    client = client_for(admin)

    listed = {row["reference"] for row in client.get("/api/v1/complaints/").json()["results"]}

    assert listed == {hy, jd}
    assert [e["code"] for e in client.get("/api/v1/estates/").json()] == ["HY", "JD"]
