"""compose.yaml against docs/deploy.md: every variable compose gives the desk is in the
documented table, the documented required ones are set, and the proxy contract holds."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_IMAGE = "complaint-desk:latest"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _documented() -> dict[str, str]:
    """The rows of the Environment table in docs/deploy.md: each name with its whole row."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    section = text.split("\n## Environment\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 4:
            for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]):
                rows[name] = line
    return rows


def _app_services(compose: dict) -> dict[str, dict]:
    """The services that run the desk's own image (web, worker, beat, release)."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == APP_IMAGE
    }


def test_the_documented_table_is_read():
    documented = _documented()

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DESK_TRUSTED_PROXIES"} <= set(documented)
    assert len(documented) > 40


def test_every_variable_compose_sets_or_reads_is_documented():
    compose = _compose()
    services = _app_services(compose)
    assert set(services) == {"release", "web", "worker", "beat"}
    given = {name for service in services.values() for name in service["environment"]}
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))

    undocumented = (given | read) - set(_documented())

    assert undocumented == set()


def test_the_documented_required_variables_are_set_and_required_by_compose():
    text = (ROOT / "compose.yaml").read_text()
    environment = _app_services(_compose())["web"]["environment"]
    required = {name for name, row in _documented().items() if "required in production" in row}

    assert required == {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"}
    for name in required:
        assert name in environment
        assert f"${{{name}:?" in text, f"compose must refuse to start without {name}"
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_the_web_behind_composes_nginx_trusts_exactly_one_proxy():
    """nginx shares the web container's network: without this every client is 127.0.0.1, and
    anyone could lock any account out by failing its password five times."""
    compose = _compose()
    web = _app_services(compose)["web"]

    assert compose["services"]["nginx"]["network_mode"] == "service:web"
    assert web["environment"]["DESK_TRUSTED_PROXIES"] == "1"
    assert web["environment"]["GUNICORN_BIND"].startswith("127.0.0.1:")
