"""The facts the drill is judged on, from the database and the processes' JSON logs, and the
judgement itself."""

from __future__ import annotations

import datetime as dt
import re
import signal

from scripts.drill.common import COMPLAINTS
from scripts.drill.processes import Service


def count(cursor, sql: str, params=()) -> int:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def check_database(cursor, *, estate_id: int, checked_at: dt.datetime) -> dict:
    """Facts from the database; the drill's assertions are made on them."""
    facts = {
        "complaints": count(
            cursor, "SELECT count(*) FROM complaints_complaint WHERE estate_id = %s", [estate_id]
        ),
        "distinct_references": count(
            cursor,
            "SELECT count(DISTINCT reference) FROM complaints_complaint WHERE estate_id = %s",
            [estate_id],
        ),
    }
    cursor.execute(
        """
        SELECT d.id, d.kind, d.state, count(e.id)
        FROM complaints_deadline d
        JOIN complaints_complaint c ON c.id = d.complaint_id
        LEFT JOIN complaints_escalation e ON e.deadline_id = d.id
        WHERE c.estate_id = %s AND d.due_at <= %s AND d.state <> 'cancelled'
        GROUP BY d.id, d.kind, d.state
        """,
        [estate_id, checked_at],
    )
    overdue = cursor.fetchall()
    facts["overdue_deadlines"] = len(overdue)
    facts["overdue_acknowledge"] = sum(1 for row in overdue if row[1] == "acknowledge")
    facts["overdue_escalated_once"] = sum(1 for row in overdue if row[3] == 1)
    facts["overdue_not_missed"] = sum(1 for row in overdue if row[2] != "missed")
    facts["overdue_without_escalation"] = sum(1 for row in overdue if row[3] == 0)
    facts["overdue_escalated_twice_or_more"] = sum(1 for row in overdue if row[3] > 1)
    facts["escalations"] = count(cursor, "SELECT count(*) FROM complaints_escalation")
    facts["escalations_for_deadlines_not_due"] = count(
        cursor,
        """SELECT count(*) FROM complaints_escalation e
           JOIN complaints_deadline d ON d.id = e.deadline_id WHERE d.due_at > %s""",
        [checked_at],
    )
    facts["escalated_events"] = count(
        cursor, "SELECT count(*) FROM complaints_complaintevent WHERE kind = 'escalated'"
    )
    cursor.execute(
        "SELECT escalation_level, severity, count(*) FROM complaints_complaint "
        "WHERE estate_id = %s GROUP BY 1, 2 ORDER BY 1, 2",
        [estate_id],
    )
    facts["levels"] = {f"{severity}@{level}": n for level, severity, n in cursor.fetchall()}
    cursor.execute(
        "SELECT kind, count(*), count(sent_at) FROM complaints_notification GROUP BY kind"
    )
    facts["notifications"] = {kind: [total, sent] for kind, total, sent in cursor.fetchall()}
    facts["notifications_unsent"] = count(
        cursor, "SELECT count(*) FROM complaints_notification WHERE sent_at IS NULL"
    )
    facts["notifications_leased_far"] = count(
        cursor,
        "SELECT count(*) FROM complaints_notification "
        "WHERE sent_at IS NULL AND not_before > %s + interval '1 minute'",
        [checked_at],
    )
    return facts


def access_statuses(services: list[Service]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for service in services:
        statuses: dict[str, int] = {}
        for record in service.records():
            if record.get("logger") != "gunicorn.access":
                continue
            match = re.search(r'" (\d{3}) ', record.get("message", ""))
            if match:
                statuses[match.group(1)] = statuses.get(match.group(1), 0) + 1
        found[service.name] = statuses
    return found


def escalated_by(service: Service, *, after: dt.datetime | None = None) -> int:
    """Escalations the worker's sweeps reported (Celery's JSON task-success lines)."""
    total = 0
    for record in service.records():
        data = record.get("data") or {}
        if record.get("logger") != "celery.app.trace" or not isinstance(data, dict):
            continue
        if data.get("name") != "complaints.tasks.sweep_deadlines":
            continue
        if after is not None and dt.datetime.fromisoformat(record["time"]) <= after:
            continue
        match = re.search(r"escalated (\d+)", str(data.get("return_value", "")))
        total += int(match.group(1)) if match else 0
    return total


def verify(summary: dict, *, expected_escalations: int) -> list[str]:
    facts, intake, kill = summary["database"], summary["intake"], summary["kill"]
    problems = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    expect(intake["statuses"] == {"201": COMPLAINTS}, f"intake answers {intake['statuses']}")
    expect(intake["distinct_references"] == COMPLAINTS, "references were not all distinct")
    expect(all(intake["per_web_process"].values()), "one web process got no complaints")
    expect(facts["complaints"] == COMPLAINTS, f"{facts['complaints']} complaints in the database")
    expect(facts["distinct_references"] == COMPLAINTS, "duplicate references in the database")
    expect(
        facts["overdue_deadlines"] == expected_escalations
        and facts["overdue_acknowledge"] == expected_escalations,
        f"{facts['overdue_deadlines']} overdue deadlines, expected {expected_escalations}"
        " acknowledge deadlines",
    )
    expect(
        facts["overdue_escalated_once"] == facts["overdue_deadlines"],
        f"{facts['overdue_without_escalation']} overdue deadlines without an escalation,"
        f" {facts['overdue_escalated_twice_or_more']} with more than one",
    )
    expect(facts["overdue_not_missed"] == 0, "an overdue deadline is not marked missed")
    expect(facts["escalations"] == expected_escalations, f"{facts['escalations']} escalations")
    expect(facts["escalations_for_deadlines_not_due"] == 0, "a deadline not yet due escalated")
    expect(facts["escalated_events"] == expected_escalations, "escalated events != escalations")
    expect(
        facts["levels"]
        == {"normal@0": COMPLAINTS - expected_escalations, "urgent@1": expected_escalations},
        f"escalation levels {facts['levels']}",
    )
    expect(facts["notifications_unsent"] == 0, f"{facts['notifications_unsent']} unsent")
    expect(
        facts["notifications_leased_far"] == 0,
        f"{facts['notifications_leased_far']} notifications claimed by the killed worker",
    )
    expected_kinds = {
        "received": [COMPLAINTS, COMPLAINTS],
        "urgent_intake": [expected_escalations, expected_escalations],
        "escalation": [expected_escalations, expected_escalations],
    }
    expect(facts["notifications"] == expected_kinds, f"notifications {facts['notifications']}")
    for name, statuses in summary["web_access_log_statuses"].items():
        expect(
            not any(status.startswith("5") for status in statuses),
            f"{name} answered {statuses}",
        )
    expect(kill["exit_code"] == -signal.SIGKILL, f"killed worker exit code {kill['exit_code']}")
    expect(kill["survivor_alive"], "the surviving worker died")
    expect(
        facts["escalations_after_kill"] > 0 and kill["survivor_escalated_after_kill"] > 0,
        "the surviving worker escalated nothing after the kill",
    )
    return problems
