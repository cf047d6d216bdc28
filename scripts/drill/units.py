"""The sample systemd units in deploy/systemd/, read into the command line and environment
systemd would give them, so that the drill runs exactly what docs/deploy.md installs."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from scripts.drill.common import ROOT, DrillFailed

BIN = Path(sys.executable).parent
UNITS = ROOT / "deploy" / "systemd"
# Where the sample units expect the virtualenv; the drill runs the one it was started from.
UNIT_BIN = "/srv/complaint-desk/.venv/bin/"


def _specifiers(value: str, instance: str, host: str) -> str:
    """systemd's %-specifiers the sample units use; any other one is an error here."""
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        spec = value[i + 1 : i + 2]
        replacement = {"%": "%", "i": instance, "I": instance, "H": host}.get(spec)
        if replacement is None:
            raise DrillFailed(f"the drill does not know the unit specifier %{spec} in {value!r}")
        out.append(replacement)
        i += 2
    return "".join(out)


def unit_command(name: str, *, instance: str = "", host: str = "drill") -> tuple[list, dict]:
    """ExecStart= and Environment= of a sample unit, as systemd would run them here."""
    text = re.sub(r"\\\n", " ", (UNITS / name).read_text())
    section, argv, environment = "", None, {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]":
            continue
        key, _, value = line.partition("=")
        value = _specifiers(value, instance, host)
        if key == "ExecStart":
            argv = shlex.split(value)
        elif key == "Environment":
            for item in shlex.split(value):
                variable, _, setting = item.partition("=")
                environment[variable] = setting
    if not argv or not argv[0].startswith(UNIT_BIN):
        raise DrillFailed(f"{name}: ExecStart must run a program from {UNIT_BIN}")
    argv[0] = str(BIN / argv[0].removeprefix(UNIT_BIN))
    return argv, environment
