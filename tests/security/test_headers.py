"""Response headers on every page, and the production settings that HTTPS depends on.

The crawl signs in as each role and follows every on-site link from the main pages (bounded),
checking each HTML page for the Content-Security-Policy, no inline script and no live markup,
and every answer for nosniff, frame denial and the referrer policy. tests/test_settings.py runs
``manage.py check --deploy`` on the production settings; here the values themselves are read
and a request is made under them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from config.middleware import PAGE_POLICY, RELAXED_POLICY
from tests.security.conftest import ROLES
from tests.security.markup import live_markup

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [
    "/",
    "/complaints/",
    "/complaints/new/",
    "/escalations/",
    "/residents/",
    "/reports/weekly/",
    "/accounts/login/",
    "/status/",
    "/s/not-a-link/",
    "/api/docs/",
    "/no-such-page/",
]
ADMIN_SEEDS = ["/admin/", "/admin/complaints/complaint/", "/admin/residents/resident/"]
# Downloads and files are checked for their headers but not parsed as pages.
NOT_PAGES = re.compile(r"\.(csv|xlsx)$|/evidence/\d+/$|^/static/|^/api/docs/\?script")
PAGE_LIMIT = 80


def _links(html: str, base: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"#]+)', html):
        href = href.replace("&amp;", "&")
        url = urlsplit(urljoin(base, href))
        if url.netloc not in ("", "testserver") or url.scheme not in ("", "http"):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def _check_headers(response, url: str) -> None:
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["Referrer-Policy"] == "same-origin", url


def _check_page(response, url: str) -> None:
    policy = response["Content-Security-Policy"]
    assert policy == (RELAXED_POLICY if url.startswith("/api/docs/") else PAGE_POLICY), url
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert script_src.strip() == "'self'", url
    assert "frame-ancestors 'none'" in policy, url
    assert live_markup(response.content.decode()) == [], url


def _shape(url: str) -> tuple:
    """One visit per path and set of query names: ?sort=received and ?sort=severity alike."""
    parts = urlsplit(url)
    return parts.path, tuple(sorted(re.findall(r"([^&=]+)=", parts.query)))


def crawl(client: Client, seeds: list[str], allowed=lambda path: True) -> dict[str, int]:
    """Every reachable on-site page within the limit, with its status code."""
    seen: dict[str, int] = {}
    shapes: set[tuple] = set()
    queue = deque(seeds)
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.popleft()
        if _shape(url) in shapes or url.startswith("/static/") or not allowed(url):
            continue
        shapes.add(_shape(url))
        response = client.get(url)
        seen[url] = response.status_code
        assert response.status_code < 500, url
        _check_headers(response, url)
        if NOT_PAGES.search(url.split("?")[0]) or response.status_code in (301, 302):
            continue
        if response["Content-Type"].startswith("text/html"):
            _check_page(response, url)
            queue.extend(_links(response.content.decode(), url))
    return seen


def _desk(path: str) -> bool:
    return not path.startswith(("/admin/", "/api/v1/", "/i18n/"))


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_every_page_a_role_reaches_carries_the_policy_and_no_inline_script(world, role):
    seen = crawl(world.page_client(role), SEEDS, allowed=_desk)

    assert len(seen) >= (3 if role == "anonymous" else 15), seen
    if role != "anonymous":
        reached = {path for path, status in seen.items() if status == 200}
        assert any(path.startswith("/complaints/TS-") for path in reached)


def test_the_admin_pages_carry_the_policy_and_no_inline_script(world):
    admin = User.objects.create_superuser("root", "root@example.com", "demo")
    client = Client()
    client.force_login(admin)

    seen = crawl(client, ADMIN_SEEDS, allowed=lambda path: path.startswith("/admin/"))

    assert len(seen) >= 20
    assert all(status < 400 for status in seen.values()), seen


def test_json_files_and_exports_carry_the_headers_too(world):
    api, page = world.api_client("supervisor"), world.page_client("supervisor")
    ref, evidence = world.complaints["eng_a"].reference, world.evidence["eng_a"].pk

    for response, url in [
        (api.get("/api/v1/complaints/"), "api list"),
        (api.get("/api/v1/complaints/NOPE/"), "api 404"),
        (Client().get("/api/v1/complaints/"), "api 401"),
        (page.get(f"/complaints/{ref}/evidence/{evidence}/"), "evidence"),
        (page.get("/complaints/export.csv"), "csv"),
        (page.get("/reports/weekly.xlsx"), "xlsx"),
        (Client().get("/healthz"), "healthz"),
        (Client().get("/api/v1/evidence/not-a-route/"), "api unknown path"),
    ]:
        _check_headers(response, url)
    unknown = Client().get("/api/v1/evidence/not-a-route/")
    assert (unknown.status_code, unknown["Content-Type"]) == (404, "application/json")


def test_the_safe_header_values_are_set_in_every_environment(settings):
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert settings.SECURE_REFERRER_POLICY == "same-origin"
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SESSION_COOKIE_HTTPONLY is True


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(SERVER_NAME="desk.example.com")
plain = client.get("/api/v1/estates/")
secure = client.get("/api/v1/estates/", secure=True)
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in (
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS", "SECURE_PROXY_SSL_HEADER", "ALLOWED_HOSTS")},
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, secure.get("Strict-Transport-Security"),
               secure.get("X-Content-Type-Options"), secure.get("X-Frame-Options")],
}))
"""


def test_production_settings_insist_on_https():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="a-production-secret-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="desk.example.com",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    assert probe["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "ALLOWED_HOSTS": ["desk.example.com"],
    }
    assert probe["plain"] == [301, "https://desk.example.com/api/v1/estates/"]
    assert probe["secure"] == [
        401,
        "max-age=31536000; includeSubDomains; preload",
        "nosniff",
        "DENY",
    ]
