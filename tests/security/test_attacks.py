"""Script and HTML in every free-text field: shown as text everywhere a person reads it.

Each test feeds ``hostile(field)`` — ``<script>alert(1)</script>"><img src=x onerror=alert(1)>``
tagged with the field's name — through the real doors (the API for what staff type, the models
for what administrators set up) and reads it back: escaped on every page, unchanged data in the
JSON, plain text in email, text in the exports. Uploads, formulas, forged requests and the rest
have their own files beside this one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import markupsafe
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from complaints.models import Complaint, Escalation
from notifications.models import Notification
from notifications.sending import notifications_send
from reports.iso_weeks import IsoWeek
from reports.mailing import weekly_email
from tests.complaints.api_helpers import client_for, image_bytes
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, make_staff
from tests.security.markup import BREAKOUT, hostile, live_markup

pytestmark = pytest.mark.django_db

BUILDING = f"building{BREAKOUT}"


def typed(field: str) -> str:
    """The hostile text stored in ``field``."""
    return BUILDING if field == "building" else hostile(field)


# What staff type, field by field, with the action that takes it (SPEC §7's API bodies).
TYPED = [
    "summary",
    "account",
    "contact_name",
    "callback",
    "note",
    "plan",
    "escalation",
    "hold",
    "outcome",
    "cause",
    "follow_up",
    "reopen",
    "acknowledge",
]


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content[:500]
    return response.json()


@pytest.fixture
def hostile_world(frontdesk, supervisor, manager, estate):
    """One urgent complaint carried through every action with hostile text, one explained
    away, a hostile resident, building, staff name and evidence file name."""
    supervisor.email = "supervisor@example.com"
    supervisor.save(update_fields=["email"])
    frontdesk.first_name = hostile("staff")
    frontdesk.save(update_fields=["first_name"])
    # One of the department it is handed to, whom the queue offers to assign.
    engineer = make_staff("engineer", role="handler", department="ENG", estates=[estate])
    engineer.first_name = hostile("staff")
    engineer.save(update_fields=["first_name"])
    # A building's name holds 50 characters: the markup alone, without the script.
    unit = UnitFactory(building=BuildingFactory(estate=estate, name=BUILDING))
    resident = ResidentFactory(name=hostile("resident"), phone="13812345678", units=[unit])
    desk, boss = client_for(frontdesk), client_for(supervisor)
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()

    complaint = _ok(
        desk.post(
            "/api/v1/complaints/",
            {
                "estate": estate.code,
                "unit": unit.pk,
                "resident": resident.pk,
                "contact_name": hostile("contact_name"),
                "contact_phone": "13812345678",
                "channel": "phone",
                "category": "FAC-LIFT",
                "severity": "urgent",
                "summary": hostile("summary"),
                "account": hostile("account"),
            },
            format="json",
        ),
        201,
    )
    ref = complaint["reference"]

    def act(client, action: str, **body) -> dict:
        return _ok(client.post(f"/api/v1/complaints/{ref}/actions/{action}/", body, format="json"))

    act(desk, "accept")
    act(desk, "log_callback", reached=True, note=hostile("callback"))
    act(desk, "add_note", text=hostile("note"))
    act(
        desk,
        "plan_resolution",
        validity="valid",
        department="ENG",
        plan=hostile("plan"),
        callback_due_at=later,
    )
    act(desk, "escalate", reason="unsatisfied", note=hostile("escalation"))
    act(boss, "hold", reason=hostile("hold"), until=later)
    act(boss, "release")
    act(boss, "mark_resolved", outcome=hostile("outcome"), cause=hostile("cause"), liability="ours")
    act(desk, "close", satisfaction="fairly", summary=hostile("follow_up"))
    act(boss, "reopen", reason=hostile("reopen"))
    first = Escalation.objects.filter(complaint__reference=ref).earliest("id")
    _ok(
        boss.post(
            f"/api/v1/escalations/{first.pk}/acknowledge/",
            {"note": hostile("acknowledge")},
            format="json",
        )
    )
    _ok(
        desk.post(
            f"/api/v1/complaints/{ref}/evidence/",
            {"file": SimpleUploadedFile(hostile("file") + ".png", image_bytes(), "image/png")},
            format="multipart",
        ),
        201,
    )

    explained = _ok(
        desk.post(
            "/api/v1/complaints/",
            {
                "estate": estate.code,
                "contact_name": "王芳",
                "contact_phone": "13812345678",
                "channel": "phone",
                "category": "FEE-PROP",
                "summary": "物业费",
                "account": "询问物业费",
            },
            format="json",
        ),
        201,
    )["reference"]
    _ok(desk.post(f"/api/v1/complaints/{explained}/actions/accept/", {}, format="json"))
    _ok(
        desk.post(
            f"/api/v1/complaints/{explained}/actions/close_as_explained/",
            {"validity": "invalid", "explanation": hostile("explanation")},
            format="json",
        )
    )
    return {
        "reference": ref,
        "explained": explained,
        "complaint": Complaint.objects.get(reference=ref),
        "resident": resident,
        "frontdesk": frontdesk,
        "supervisor": supervisor,
        "manager": manager,
    }


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _shown_as_text(html: str, fields: list[str], url: str) -> None:
    assert live_markup(html) == [], url
    for field in fields:
        assert typed(field) not in html, f"{field} unescaped on {url}"
        # Django's templates write ' as &#x27;, Jinja2's rows (MarkupSafe) as &#39;.
        shown = (escape(typed(field)), markupsafe.escape(typed(field)))
        assert any(text in html for text in shown), f"{field} not shown on {url}"


def _week(complaint: Complaint) -> str:
    return str(IsoWeek.of(timezone.localtime(complaint.received_at, complaint.estate.zone).date()))


def test_every_page_shows_hostile_text_as_text(client, hostile_world):
    world = hostile_world
    ref, explained = world["reference"], world["explained"]
    pages = {
        "/complaints/": ["summary", "contact_name", "building"],
        f"/complaints/{ref}/": [
            *[f for f in TYPED if f != "summary"],
            "summary",
            "resident",
            "building",
            "staff",
        ],
        f"/complaints/{explained}/": ["explanation", "staff"],
        "/residents/": ["resident", "building"],
        f"/residents/{world['resident'].pk}/": ["resident", "summary", "building"],
        "/escalations/": ["summary", "contact_name", "building"],
        # The people to hand it to are in each card's acknowledge form, opened on demand.
        f"/escalations/{Escalation.objects.latest('id').pk}/acknowledge/": ["staff"],
        f"/reports/weekly/?week={_week(world['complaint'])}": ["building"],
        "/notifications/": ["summary"],
    }
    client.force_login(world["supervisor"])

    for url, fields in pages.items():
        _shown_as_text(_page(client, url), fields, url)


def test_the_evidence_name_is_shown_as_text(client, hostile_world):
    client.force_login(hostile_world["supervisor"])
    html = _page(client, f"/complaints/{hostile_world['reference']}/")

    assert live_markup(html) == []
    # The stored name lost its path and markup characters; what remains is text.
    assert "script_img src=x onerror=alert(1)_.png" in html


@pytest.mark.parametrize(
    "url",
    [
        "/complaints/?q={}",
        "/residents/?q={}",
        "/complaints/new/lookup/?lookup={}",
        "/reports/weekly/?week={}",
        "/complaints/?stage={}&sort={}",
    ],
)
def test_what_a_visitor_types_into_a_search_comes_back_as_text(client, hostile_world, url):
    client.force_login(hostile_world["supervisor"])
    response = client.get(url.format(hostile("q"), hostile("q")))
    html = response.content.decode()

    assert response.status_code in (200, 400)
    assert live_markup(html) == []
    assert hostile("q") not in html


def test_the_json_carries_the_text_as_data(hostile_world):
    api = client_for(hostile_world["supervisor"])
    ref = hostile_world["reference"]

    complaint = api.get(f"/api/v1/complaints/{ref}/")
    events = api.get(f"/api/v1/complaints/{ref}/events/").json()
    evidence = api.get(f"/api/v1/complaints/{ref}/evidence/").json()
    residents = api.get("/api/v1/residents/", {"phone": "13812345678"}).json()

    assert complaint["Content-Type"] == "application/json"
    body = complaint.json()
    assert (body["summary"], body["account"], body["contact_name"]) == (
        hostile("summary"),
        hostile("account"),
        hostile("contact_name"),
    )
    assert body["unit_label"].startswith(BUILDING)
    notes = {event["note"] for event in events}
    for field in ("callback", "note", "plan", "escalation", "hold", "outcome", "follow_up"):
        assert hostile(field) in notes, field
    assert [row["name"] for row in evidence] == ["script_img src=x onerror=alert(1)_.png"]
    assert [row["name"] for row in residents] == [hostile("resident")]


def test_the_browsable_api_escapes_it_too(client, hostile_world):
    client.force_login(hostile_world["supervisor"])

    response = client.get(
        f"/api/v1/complaints/{hostile_world['reference']}/", HTTP_ACCEPT="text/html"
    )

    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert live_markup(html) == []
    assert hostile("summary") not in html


def test_staff_email_is_plain_text_with_a_one_line_subject(hostile_world):
    mail.outbox.clear()
    notifications_send()

    staff_mail = [m for m in mail.outbox if m.to == ["supervisor@example.com"]]
    kinds = set(
        Notification.objects.filter(recipient=hostile_world["supervisor"]).values_list(
            "kind", flat=True
        )
    )
    assert {"urgent_intake", "escalation"} <= kinds
    assert staff_mail
    for message in staff_mail:
        # Plain text only: no HTML part a mail reader could render the markup in.
        assert message.content_subtype == "plain"
        assert message.alternatives == []
        assert "\n" not in message.subject and "\r" not in message.subject
        assert hostile("summary") in message.subject
        assert hostile("summary") in message.body


def test_the_weekly_email_escapes_its_html_part(hostile_world):
    manager = hostile_world["manager"]
    manager.email = "manager@example.com"
    manager.save(update_fields=["email"])
    week = IsoWeek.parse(_week(hostile_world["complaint"]))

    message = weekly_email(manager=manager, week=week)

    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert live_markup(html) == []
    assert escape(BUILDING) in html
    assert BUILDING in message.body  # the text part is text


def test_the_exports_carry_it_as_text(client, hostile_world):
    client.force_login(hostile_world["supervisor"])
    ref = hostile_world["reference"]

    csv_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get("/complaints/export.csv").streaming_content).decode("utf-8-sig")
            )
        )
    )
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get("/complaints/export.xlsx").streaming_content))
    ).active
    xlsx_rows = [[cell for cell in row] for row in sheet.iter_rows()]

    csv_row = next(row for row in csv_rows if row[0] == ref)
    xlsx_row = next(row for row in xlsx_rows if row[0].value == ref)
    for position, value in ((4, hostile("contact_name")), (9, hostile("summary"))):
        assert csv_row[position] == value
        assert xlsx_row[position].value == value
        assert xlsx_row[position].data_type == "s"
    assert csv_row[3].startswith(BUILDING)
