"""The code's shape, checked: small modules and functions, imports at the top, and the
complaints app no larger than the rest of the desk together. The direction of imports
between the apps is import-linter's (``make test`` runs it; contracts in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "complaints", "demo", "notifications", "portal", "reports", "residents", "staff")
TOOLS = ("bench", "scripts")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_COMPLAINTS_SHARE = 0.60


def _modules(*packages: str) -> list[Path]:
    return sorted(
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _code_lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


@pytest.mark.parametrize("path", _modules(*APPS, *TOOLS), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_small(path):
    source = path.read_text()
    assert source.count("\n") <= MAX_MODULE_LINES, "split the module by responsibility"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def _late_imports(path: Path) -> list[str]:
    """Imports inside a function, other than in an AppConfig's ``ready``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "ready":
            found += [
                f"{node.name}: {ast.unparse(inner)}"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Import | ast.ImportFrom)
            ]
    return found


@pytest.mark.parametrize("path", _modules(*APPS), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_apps_import_at_the_top_of_the_module(path):
    assert _late_imports(path) == []


def test_the_late_import_check_sees_one():
    sample = ROOT / "var" / "late_import_sample.py"
    sample.parent.mkdir(exist_ok=True)
    sample.write_text("def f():\n    import os\n\n    return os\n")
    try:
        assert _late_imports(sample) == ["f: import os"]
    finally:
        sample.unlink()


def test_complaints_is_not_most_of_the_desk():
    lines = {app: sum(_code_lines(path) for path in _modules(app)) for app in APPS}
    share = lines["complaints"] / sum(lines.values())
    assert share <= MAX_COMPLAINTS_SHARE, lines


def test_the_complaint_services_know_nothing_of_the_stored_weeks():
    services = _modules("complaints/services")
    assert services
    mentions = [
        str(path.relative_to(ROOT))
        for path in services
        if "weekly_history_changed" in path.read_text() or "stored" in path.read_text()
    ]
    assert mentions == []
