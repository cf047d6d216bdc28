"""One authorisation rule for every way data leaves the desk, as a table.

Each row is a path (page, API, export, evidence file), each column a role of the world in
``conftest.py``; a cell is what that role gets. Denied reads as 404 for a thing the role may
not see (exactly as if it did not exist) and 403 for a whole page its role lacks; anonymous
visitors are sent to sign in on pages (``login``) and get 401 from the API.

    fd_a        front desk of estate A         fd_b     front desk of estate B
    handler     engineering (ENG), estate A    super, manager: supervisor and manager of both
    anon        not signed in

The SMS providers' reply push (/sms/replies/<secret>/) is let in by the secret in its address,
never by a role: a wrong secret is 404 for everyone (tests/notifications/test_sms_replies.py).
The residents' pages (``/s/<link>/…``, ``/status/``) need no sign-in: the signed link is the
key, so every role and no role get the same answer.

A second table says which things each role finds in each list and export, and the last tests
follow the links in notification emails and check that every route of the desk is in a table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from knox.models import AuthToken
from openpyxl import load_workbook

from complaints.models import ComplaintEvent, Escalation, Evidence, IncidentEvent
from complaints.status_links import status_path
from notifications.models import Notification
from tests.complaints.api_helpers import WEDNESDAY_10AM, image_bytes
from tests.security.conftest import ROLES

pytestmark = pytest.mark.django_db

MATRIX = """
method path                                            fd_a   fd_b   handler super  manager anon
GET    /complaints/                                    200    200    200     200    200    login
GET    /complaints/new/                                200    200    403     200    200    login
GET    /complaints/new/location/                       200    200    403     200    200    login
GET    /complaints/new/lookup/?lookup=住户              200    200    403     200    200    login
GET    /complaints/new/repeat/                         200    200    403     200    200    login
GET    /complaints/new/backdated/?estate=HY&category=FAC-LIFT  200  200  403     200    200    login
GET    /complaints/new/incidents/?unit={unit_a}&category=FAC-UTIL  200  404  403  200  200  login
GET    /complaints/new/incidents/?unit={unit_b}&category=FAC-UTIL  404  200  403  200  200  login
GET    /complaints/new/history/?estate=HY&unit={unit_a}  200  200  403  200  200  login
GET    /complaints/export.csv                          200    200    200     200    200    login
GET    /complaints/export.xlsx                         200    200    200     200    200    login
GET    /complaints/{eng_a}/                            200    404    200     200    200    login
GET    /complaints/{sec_a}/                            200    404    404     200    200    login
GET    /complaints/{b}/                                404    200    404     200    200    login
GET    /complaints/{eng_a}/evidence/{ev_eng_a}/        200    404    200     200    200    login
GET    /complaints/{sec_a}/evidence/{ev_sec_a}/        200    404    404     200    200    login
GET    /complaints/{b}/evidence/{ev_b}/                404    200    404     200    200    login
GET    /complaints/{eng_a}/receipt/                    200    404    200     200    200    login
GET    /complaints/{sec_a}/receipt/                    200    404    404     200    200    login
GET    /complaints/{b}/receipt/                        404    200    404     200    200    login
GET    /complaints/{eng_a}/evidence/{ev_b}/            404    404    404     404    404    login
GET    /complaints/{b}/evidence/{ev_eng_a}/            404    404    404     404    404    login
POST   /complaints/{eng_a}/actions/add_note/           302    404    302     302    302    login
POST   /complaints/{sec_a}/actions/add_note/           302    404    404     302    302    login
POST   /complaints/{b}/actions/add_note/               404    302    404     302    302    login
POST   /complaints/{eng_a}/evidence/                   302    404    302     302    302    login
POST   /complaints/{sec_a}/evidence/                   302    404    404     302    302    login
POST   /complaints/{b}/evidence/                       404    302    404     302    302    login
GET    /my/                                            403    403    200     403    403    login
GET    /my/{eng_a}/                                    403    403    200     403    403    login
GET    /my/{sec_a}/                                    403    403    404     403    403    login
GET    /my/{b}/                                        403    403    404     403    403    login
POST   /my/{eng_a}/actions/add_note/                   403    403    302     403    403    login
POST   /my/{sec_a}/actions/add_note/                   403    403    404     403    403    login
POST   /my/{b}/actions/add_note/                       403    403    404     403    403    login
GET    /escalations/                                   403    403    403     200    200    login
GET    /escalations/{esc_a1}/acknowledge/              403    403    403     200    404    login
GET    /escalations/{esc_b2}/acknowledge/              403    403    403     200    200    login
POST   /escalations/{esc_a1}/acknowledge/              403    403    403     302    404    login
POST   /escalations/{esc_b2}/acknowledge/              403    403    403     302    302    login
POST   /escalations/incidents/{inc_a}/acknowledge/     403    403    403     302    302    login
POST   /escalations/incidents/{inc_b}/acknowledge/     403    403    403     302    302    login
GET    /incidents/                                     200    200    200     200    200    login
GET    /incidents/new/                                 403    403    403     200    200    login
GET    /incidents/new/?from={eng_a}                    403    403    403     200    200    login
POST   /incidents/new/                                 403    403    403     302    302    login
GET    /incidents/{inc_a}/                             200    404    200     200    200    login
GET    /incidents/{inc_b}/                             404    200    404     200    200    login
POST   /incidents/{inc_a}/actions/update/              403    404    403     302    302    login
POST   /incidents/{inc_b}/actions/update/              404    403    404     302    302    login
GET    /residents/                                     200    200    403     200    200    login
GET    /residents/{res_a}/                             200    404    403     200    200    login
GET    /residents/{res_b}/                             404    200    403     200    200    login
GET    /reports/weekly/                                403    403    403     200    200    login
GET    /notifications/                                 200    200    200     200    200    login
POST   /notifications/                                 302    302    302     302    302    login
POST   /sms/replies/{reply_secret}/                    404    404    404     404    404    404
GET    /reports/weekly.csv                             403    403    403     200    200    login
GET    /reports/weekly.xlsx                            403    403    403     200    200    login
GET    /api/v1/estates/                                200    200    200     200    200    401
GET    /api/v1/units/                                  200    200    200     200    200    401
GET    /api/v1/categories/                             200    200    200     200    200    401
GET    /api/v1/residents/?q=住户                        200    200    200     200    200    401
GET    /api/v1/complaints/                             200    200    200     200    200    401
POST   /api/v1/complaints/                             201    400    403     201    201    401
GET    /api/v1/complaints/{eng_a}/                     200    404    200     200    200    401
GET    /api/v1/complaints/{sec_a}/                     200    404    404     200    200    401
GET    /api/v1/complaints/{b}/                         404    200    404     200    200    401
GET    /api/v1/complaints/{eng_a}/events/              200    404    200     200    200    401
GET    /api/v1/complaints/{sec_a}/events/              200    404    404     200    200    401
GET    /api/v1/complaints/{b}/events/                  404    200    404     200    200    401
GET    /api/v1/complaints/{eng_a}/evidence/            200    404    200     200    200    401
GET    /api/v1/complaints/{sec_a}/evidence/            200    404    404     200    200    401
GET    /api/v1/complaints/{b}/evidence/                404    200    404     200    200    401
POST   /api/v1/complaints/{eng_a}/evidence/            201    404    201     201    201    401
POST   /api/v1/complaints/{sec_a}/evidence/            201    404    404     201    201    401
POST   /api/v1/complaints/{b}/evidence/                404    201    404     201    201    401
GET    /api/v1/complaints/{eng_a}/evidence/{ev_eng_a}/ 200    404    200     200    200    401
GET    /api/v1/complaints/{sec_a}/evidence/{ev_sec_a}/ 200    404    404     200    200    401
GET    /api/v1/complaints/{b}/evidence/{ev_b}/         404    200    404     200    200    401
GET    /api/v1/complaints/{eng_a}/evidence/{ev_b}/     404    404    404     404    404    401
GET    /api/v1/complaints/{b}/evidence/{ev_eng_a}/     404    404    404     404    404    401
POST   /api/v1/complaints/{eng_a}/actions/add_note/    200    404    200     200    200    401
POST   /api/v1/complaints/{sec_a}/actions/add_note/    200    404    404     200    200    401
POST   /api/v1/complaints/{b}/actions/add_note/        404    200    404     200    200    401
POST   /api/v1/complaints/{eng_a}/actions/assign/      403    404    403     200    200    401
POST   /api/v1/complaints/{b}/actions/assign/          404    403    404     200    200    401
GET    /api/v1/incidents/                              200    200    200     200    200    401
POST   /api/v1/incidents/                              403    403    403     201    201    401
GET    /api/v1/incidents/{inc_a}/                      200    404    200     200    200    401
GET    /api/v1/incidents/{inc_b}/                      404    200    404     200    200    401
POST   /api/v1/incidents/{inc_a}/actions/update/       403    404    403     200    200    401
POST   /api/v1/incidents/{inc_b}/actions/update/       404    403    404     200    200    401
GET    /api/v1/escalations/                            403    403    403     200    200    401
POST   /api/v1/escalations/{esc_a1}/acknowledge/       403    403    403     200    404    401
POST   /api/v1/escalations/{esc_b2}/acknowledge/       403    403    403     200    200    401
GET    /api/v1/reports/weekly/                         403    403    403     200    200    401
GET    /api/v1/notifications/                          200    200    200     200    200    401
POST   /api/v1/notifications/read/                     200    200    200     200    200    401
GET    /accounts/tokens/                               200    200    200     200    200    login
POST   /accounts/tokens/{tok_fd_a}/revoke/             302    404    404     404    404    login
POST   /accounts/tokens/{tok_manager}/revoke/          404    404    404     404    302    login
GET    /api/v1/auth/tokens/                            200    200    200     200    200    401
DELETE /api/v1/auth/tokens/{tok_fd_a}/                 204    404    404     404    404    401
DELETE /api/v1/auth/tokens/{tok_handler}/              404    404    204     404    404    401
GET    /accounts/login/                                200    200    200     200    200    200
GET    /s/{link_eng_a}/                                200    200    200     200    200    200
GET    /s/{link_b}/rate/                               200    200    200     200    200    200
POST   /s/{link_b}/rate/                               400    400    400     400    400    400
GET    /s/{link_b}/stop/                               200    200    200     200    200    200
POST   /s/{link_b}/stop/                               302    302    302     302    302    302
GET    /s/not-a-link/                                  404    404    404     404    404    404
GET    /status/                                        200    200    200     200    200    200
POST   /status/                                        400    400    400     400    400    400
GET    /healthz                                        200    200    200     200    200    200
GET    /api/schema/                                    200    200    200     200    200    200
GET    /api/docs/                                      200    200    200     200    200    200
GET    /admin/                                         login  login  login   login  login  login
"""

# Routes that hand out no data, left out of the table: sign-out, the language switch, the
# favicon and the root's redirect; the token endpoint is tested in test_login_throttle.py and
# tests/complaints/test_api_contract.py. The admin is Django's own (staff only).
NOT_IN_MATRIX = {"/accounts/logout/", "/i18n/setlang/", "/favicon.ico", "/", "/api/v1/auth/token/"}
# Redirects from where the admin kept the moved models to where it keeps them now: they answer
# with a location only, and the admin page they lead to checks its reader.
NOT_IN_MATRIX |= {
    f"/^admin/complaints/{model}/(?P<>.*)$"
    for model in (
        "notification",
        "weeklysummarysnapshot",
        "weeklysummarychange",
        "weeklyreportdelivery",
    )
}


def _rows(table: str) -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for line in table.strip().splitlines()[1:]:
        method, path, *cells = line.split()
        assert len(cells) == len(ROLES) + 1, line
        rows.append((method, path, dict(zip((*ROLES, "anonymous"), cells, strict=True))))
    return rows


CASES = [
    pytest.param(method, path, role, expected, id=f"{method} {path} as {role} -> {expected}")
    for method, path, outcomes in _rows(MATRIX)
    for role, expected in outcomes.items()
]

INTAKE = {
    "estate": "HY",
    "channel": "phone",
    "category": "FAC-LIFT",
    "summary": "电梯停运",
    "account": "3号楼电梯停在12楼。",
    "contact_name": "王芳",
    "contact_phone": "13812345678",
}


# What the forms of the incident pages post.
INCIDENT_PAGE_BODIES = {
    "/incidents/new/": {
        "estate": "HY",
        "category": "FAC-UTIL",
        "title": "停电",
        "notice": "线路检修",
    },
    "/actions/update/": {"notice": "矩阵测试：预计今晚恢复"},
}


def _page_body(path: str) -> dict:
    if path.endswith("/add_note/"):
        return {"text": "矩阵测试"}
    if path.startswith("/incidents/"):
        return next((b for end, b in INCIDENT_PAGE_BODIES.items() if path.endswith(end)), {})
    return {}


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("extra.png", image_bytes(), content_type="image/png")


def _request(world, method: str, path: str, role: str):
    """The request a role makes on a path: pages through a browser session, the API by token."""
    api = path.startswith("/api/v1/")
    client = world.api_client(role) if api else world.page_client(role)
    if method == "GET":
        return client.get(path)
    if method == "DELETE":
        return client.delete(path)
    if path.endswith("/evidence/"):
        return client.post(path, {"file" if api else "evidence": _photo()})
    if api:
        body = {}
        if path == "/api/v1/complaints/":
            body = INTAKE
        elif path.endswith("/add_note/"):
            body = {"text": "矩阵测试"}
        elif path.endswith("/assign/"):
            body = {"department": "SEC"}
        elif path == "/api/v1/incidents/":
            body = {"estate": "HY", "category": "FAC-UTIL", "title": "停电", "notice": "线路检修"}
        elif path.endswith("/actions/update/"):
            body = {"notice": "矩阵测试：预计今晚恢复"}
        return client.post(path, body, content_type="application/json")
    return client.post(path, _page_body(path))


def _state() -> tuple:
    return (
        ComplaintEvent.objects.count(),
        Evidence.objects.count(),
        Escalation.objects.filter(acknowledged_at__isnull=False).count(),
        AuthToken.objects.count(),
        IncidentEvent.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
def test_each_role_on_each_path(world, method, path, role, expected):
    before = _state()
    url = path.format(**world.ids())

    response = _request(world, method, url, role)

    if expected == "login":
        assert response.status_code == 302, response.content[:300]
        assert re.search(r"/login/\?next=", response["Location"]), response["Location"]
    else:
        assert response.status_code == int(expected), response.content[:300]
    if expected in ("404", "403", "401", "login", "400"):
        assert _state() == before, "a refused request changed something"
    if expected == "404" and url.startswith("/api/"):
        assert response.json() == {"detail": "Not found."}


# What each role finds in each list and export, by the world's names ("-" for nothing).
LISTED = """
list                         fd_a           fd_b  handler  supervisor         manager
complaints-page              eng_a,sec_a    b     eng_a    eng_a,sec_a,b      eng_a,sec_a,b
complaints-api               eng_a,sec_a    b     eng_a    eng_a,sec_a,b      eng_a,sec_a,b
complaints-csv               eng_a,sec_a    b     eng_a    eng_a,sec_a,b      eng_a,sec_a,b
complaints-xlsx              eng_a,sec_a    b     eng_a    eng_a,sec_a,b      eng_a,sec_a,b
escalations-page             403            403   403      eng_a,b            b
escalations-api              403            403   403      a1,b1,b2           b2
incidents-page               a              b     a        a,b                a,b
intake-history-a             eng_a          -     403      eng_a              eng_a
intake-history-b             -              b     403      b                  b
residents-page               a              b     403      a,b                a,b
residents-api                a              b     -        a,b                a,b
units-api                    a              b     a        a,b                a,b
estates-api                  HY             JD    HY       HY,JD              HY,JD
notifications-api            -              -     eng_a    eng_a,b            b
notifications-page           -              -     eng_a    eng_a,b            b
phone-page                   403            403   eng_a    403                403
weekly-api                   403            403   403      HY,JD              HY,JD
tokens-api                   fd_a           fd_b  handler  supervisor         manager
tokens-page                  fd_a           fd_b  handler  supervisor         manager
"""


def _complaint_names(world, text: str) -> set[str]:
    return {name for name, c in world.complaints.items() if c.reference in text}


def _intake_history(page, world, *, estate: str, party: str):
    """Intake's history panel for the unit and resident of estate ``party``, read in
    ``estate``; a day after the world's complaints, well inside the panel's twelve months."""
    asked = {"estate": estate, "unit": world.units[party].pk, "resident": world.residents[party].pk}
    with time_machine.travel(WEDNESDAY_10AM + dt.timedelta(days=1), tick=False):
        return page.get("/complaints/new/history/", asked)


def _found(world, role: str, what: str):
    """The names of the world's things that ``role`` finds in list ``what``, or the status."""
    page, api = world.page_client(role), world.api_client(role)
    names = {
        "complaints-page": lambda: page.get("/complaints/"),
        "complaints-csv": lambda: page.get("/complaints/export.csv"),
        "complaints-xlsx": lambda: page.get("/complaints/export.xlsx"),
        "escalations-page": lambda: page.get("/escalations/"),
        "residents-page": lambda: page.get("/residents/"),
        "incidents-page": lambda: page.get("/incidents/"),
        "notifications-page": lambda: page.get("/notifications/"),
        "phone-page": lambda: page.get("/my/"),
        "complaints-api": lambda: api.get("/api/v1/complaints/"),
        "escalations-api": lambda: api.get("/api/v1/escalations/"),
        "residents-api": lambda: api.get("/api/v1/residents/", {"q": "住户"}),
        "units-api": lambda: api.get("/api/v1/units/"),
        "estates-api": lambda: api.get("/api/v1/estates/"),
        "notifications-api": lambda: api.get("/api/v1/notifications/"),
        "weekly-api": lambda: api.get("/api/v1/reports/weekly/"),
        "tokens-api": lambda: api.get("/api/v1/auth/tokens/"),
        "tokens-page": lambda: page.get("/accounts/tokens/"),
        "intake-history-a": lambda: _intake_history(page, world, estate="HY", party="a"),
        "intake-history-b": lambda: _intake_history(page, world, estate="JD", party="b"),
    }
    response = names[what]()
    if response.status_code != 200:
        return str(response.status_code)
    if what == "complaints-xlsx":
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = [str(row[0]) for row in sheet.iter_rows(values_only=True)]
        return _complaint_names(world, " ".join(cells))
    if what == "complaints-csv":
        rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        return _complaint_names(world, " ".join(row[0] for row in rows))
    if what in (
        "complaints-page",
        "escalations-page",
        "notifications-page",
        "phone-page",
        "intake-history-a",
        "intake-history-b",
    ):
        return _complaint_names(world, response.content.decode())
    if what == "incidents-page":
        return {k for k, i in world.incidents.items() if i.reference in response.content.decode()}
    if what == "residents-page":
        return {k for k, r in world.residents.items() if r.name in response.content.decode()}
    if what == "tokens-page":
        return {
            k for k, (prefix, _t) in world.tokens.items() if prefix in response.content.decode()
        }
    body = response.json()
    if what == "complaints-api":
        return _complaint_names(world, " ".join(row["reference"] for row in body["results"]))
    if what == "escalations-api":
        return {k for k, e in world.escalations.items() if e.pk in {row["id"] for row in body}}
    if what == "residents-api":
        return {k for k, r in world.residents.items() if r.pk in {row["id"] for row in body}}
    if what == "units-api":
        return {k for k, u in world.units.items() if u.pk in {row["id"] for row in body}}
    if what == "estates-api":
        return {row["code"] for row in body}
    if what == "tokens-api":
        return {k for k, (prefix, _t) in world.tokens.items() if prefix in str(body)}
    if what == "notifications-api":
        return _complaint_names(world, " ".join(row["complaint"] or "" for row in body))
    return {row["code"] for row in body["estates"]}


LIST_CASES = [
    pytest.param(what, role, expected, id=f"{what} as {role} -> {expected}")
    for line in LISTED.strip().splitlines()[1:]
    for what, *cells in [line.split()]
    for role, expected in zip(ROLES, cells, strict=True)
]


@pytest.mark.parametrize(("what", "role", "expected"), LIST_CASES)
def test_each_role_finds_only_its_own_in_each_list(world, what, role, expected):
    found = _found(world, role, what)

    if expected.isdigit():
        assert found == expected
    else:
        assert found == (set() if expected == "-" else set(expected.split(",")))


URL_IN_TEXT = re.compile(r"https?://[^/\s]+(/\S*)")


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_the_link_in_every_notification_leads_to_the_page_under_the_same_rule(world, role):
    detail = {
        path: outcomes[role]
        for method, path, outcomes in _rows(MATRIX)
        if method == "GET" and re.fullmatch(r"/complaints/\{\w+\}/", path)
    }
    expected = {path.format(**world.ids()): outcome for path, outcome in detail.items()}
    # An incident's broadcast names no complaint and carries no link at all.
    broadcasts = Notification.objects.filter(incident__isnull=False)
    assert broadcasts.exists()
    assert all(URL_IN_TEXT.findall(row.body) == [] for row in broadcasts)
    notifications = list(Notification.objects.exclude(body="").filter(incident__isnull=True))
    assert {n.complaint.reference for n in notifications} == {
        c.reference for c in world.complaints.values()
    }
    client = world.page_client(role)

    for notification in notifications:
        paths = URL_IN_TEXT.findall(notification.body)
        if notification.audience == Notification.Audience.RESIDENT:
            # No link, or only its own status link (or its rating page), which opens without a
            # login and no staff page.
            status_link = status_path(notification.complaint)
            assert paths in ([], [status_link], [status_link + "rate/"]), (
                "a text message to a resident carries no staff link"
            )
            continue
        assert paths == [f"/complaints/{notification.complaint.reference}/"]
        response = client.get(paths[0])
        outcome = expected[paths[0]]
        if outcome == "login":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/?next=")
        else:
            assert response.status_code == int(outcome)


def _routes(resolvers, prefix: str = "") -> list[str]:
    found = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + str(entry.pattern))
    return found


def _as_route(path: str) -> str:
    """/complaints/{eng_a}/actions/add_note/?x=1 → /complaints/<>/actions/<>/"""
    route = re.sub(r"\{\w+\}", "<>", path.split("?")[0])
    return re.sub(r"/actions/\w+/$", "/actions/<>/", route)


def test_every_route_of_the_desk_is_in_the_matrix():
    """A new page or endpoint fails here until its row says who may use it."""
    in_matrix = {_as_route(path) for _method, path, _outcomes in _rows(MATRIX)}
    routes = {re.sub(r"<[^>]+>", "<>", route) for route in _routes(get_resolver().url_patterns)}

    missing = routes - in_matrix - NOT_IN_MATRIX
    assert missing == set()


def test_no_route_takes_an_event_id():
    """Events are only ever reached through their complaint's reference."""
    routes = _routes(get_resolver().url_patterns)
    assert not [r for r in routes if "event" in r and "<" in r.split("event", 1)[1]]
