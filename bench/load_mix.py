"""What the staff of the load benchmark click, and how often: plain Python, no Django and no
locust, so the locustfile, the report and the tests read the same table.

The shares are of every click on the desk. A page some roles cannot open (the escalation queue
and the weekly summary are the supervisors' and managers', the intake form is not the
handlers') is clicked more often by those who can, so the whole roster still clicks it its
share of the time; whatever is left of a user's clicks goes to the worklist.

A plan (``bench.load_plan``, written as JSON for the locust process) gives each username its
pages: ``{kind: {page name: [paths]}}``. A click picks a kind by the user's weights, then a page
name of that kind, then one of its paths, each uniformly.
"""

from __future__ import annotations

import random

WORKLIST = "worklist"
COMPLAINT = "complaint page"
ESCALATIONS = "escalation queue"
API_LIST = "API complaint list"
WEEKLY = "weekly summary"
INTAKE = "intake form"

# Percent of all clicks.
SHARES = {
    WORKLIST: 50,
    COMPLAINT: 20,
    ESCALATIONS: 10,
    API_LIST: 10,
    WEEKLY: 5,
    INTAKE: 5,
}
ROSTER = ("frontdesk", "supervisor", "manager", "handler")
# Who opens a kind of page; a kind not named here is everyone's.
OPENED_BY = {
    ESCALATIONS: frozenset({"supervisor", "manager"}),
    WEEKLY: frozenset({"supervisor", "manager"}),
    INTAKE: frozenset({"frontdesk", "supervisor", "manager"}),
}
PASSWORD = "demo"  # the demo users' password (seed_demo)
THINK_SECONDS = (0.5, 2.0)

Plan = dict[str, dict[str, dict[str, list[str]]]]  # username -> kind -> page name -> paths


def opens(username: str, kind: str) -> bool:
    return kind not in OPENED_BY or username in OPENED_BY[kind]


def weights(username: str, roster: tuple[str, ...] = ROSTER) -> dict[str, float]:
    """The percent of ``username``'s clicks that go to each kind of page."""
    found: dict[str, float] = {}
    for kind, share in SHARES.items():
        if kind == WORKLIST:
            continue
        openers = [name for name in roster if opens(name, kind)]
        found[kind] = share * len(roster) / len(openers) if opens(username, kind) else 0.0
    found[WORKLIST] = 100.0 - sum(found.values())
    return found


def username_for(index: int, roster: tuple[str, ...] = ROSTER) -> str:
    """The virtual users take the roster's usernames in turn."""
    return roster[index % len(roster)]


def click(pages: dict[str, dict[str, list[str]]], mix: dict[str, float], rng: random.Random):
    """One click: (page name, path)."""
    kinds = [kind for kind in mix if mix[kind] > 0]
    kind = rng.choices(kinds, weights=[mix[kind] for kind in kinds])[0]
    name = rng.choice(sorted(pages[kind]))
    return name, rng.choice(pages[kind][name])
