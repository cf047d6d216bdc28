"""The load benchmark's figures as tables, printed and written to var/bench/load-<N>.md and
.json. Plain Python: nothing here needs Django."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os

from bench import load_mix as mix
from bench.database import STATE_DIR


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _page_table(steps: list[dict]) -> list[str]:
    lines = [
        "| page | users | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| in worker p50 / p95 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = sorted({name for step in steps for name in step["pages"]})
    for name in [*names, "overall"]:
        for step in steps:
            row = step["overall"] if name == "overall" else step["pages"].get(name)
            if row is None:
                continue
            label = f"**{name}**" if name == "overall" else name
            lines.append(
                f"| {label} | {step['users']} | {row['requests']:,} | {row['per_second']:.1f} "
                f"| {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | {_ms(row['p99_ms'])} "
                f"| {_ms(row['worker_p50_ms'])} / {_ms(row['worker_p95_ms'])} "
                f"| {row['errors']} |"
            )
    return lines


def _step_table(steps: list[dict]) -> list[str]:
    lines = [
        "| users | signed in | req/s | p50 / p95 / p99 ms | in worker p50 / p95 ms | errors "
        "| CPU web % | CPU db % "
        "| CPU web+db % | CPU locust % | CPU machine % | worker RSS MB (max) "
        "| load before → after |",
        "| ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for step in steps:
        overall, cpu = step["overall"], step["cpu_percent"]
        rss = step["worker_rss_mb"].values()
        lines.append(
            f"| {step['users']} | {step['signed_in']} | {overall['per_second']:.1f} "
            f"| {_ms(overall['p50_ms'])} / {_ms(overall['p95_ms'])} / {_ms(overall['p99_ms'])} "
            f"| {_ms(overall['worker_p50_ms'])} / {_ms(overall['worker_p95_ms'])} "
            f"| {overall['errors']} | {cpu['web']} | {cpu['database']} | {cpu['web+database']} "
            f"| {cpu['generator']} | {cpu['machine']} | {max(rss, default=0):.0f} "
            f"| {step['load_before']} → {step['load_after']} |"
        )
    return lines


def report_text(args: argparse.Namespace, *, steps: list[dict], loads: dict, started) -> str:
    cores = steps[0]["cores"] if steps else os.cpu_count()
    lines = [
        f"# Load: {args.users} staff, N = {args.complaints:,} complaints",
        "",
        f"{started:%Y-%m-%d %H:%M} UTC; {cores} cores (shared: other work may run beside it); "
        f"gunicorn {args.workers} sync workers; {args.seconds} s a step after a warm-up of "
        f"{args.warmup_users} users for {args.warmup_seconds} s; think time "
        f"{mix.THINK_SECONDS[0]}-{mix.THINK_SECONDS[1]} s; load average (1, 5, 15 min) {loads}.",
        "",
        "Mix (percent of clicks): "
        + ", ".join(f"{kind} {share}" for kind, share in mix.SHARES.items())
        + f"; roster {', '.join(mix.ROSTER)} in turn.",
        "",
        *_step_table(steps),
        "",
        *_page_table(steps),
        "",
        "CPU: utime + stime growth over the step / wall time / cores, from /proc; web = the "
        "gunicorn master and workers, db = their PostgreSQL backends, locust = the load "
        "generator; machine = every process (/proc/stat), other users' included. In worker: "
        "the time gunicorn's access log gives each request inside a worker; the rest of what "
        "the client waited was spent waiting for a free worker (and on the loopback).",
    ]
    for step in steps:
        if step["errors_seen"]:
            lines.append(f"{step['users']} users, errors: {step['errors_seen']}")
    return "\n".join(lines)


def report_write(args: argparse.Namespace, *, steps: list[dict], loads: dict, started) -> None:
    text = report_text(args, steps=steps, loads=loads, started=started)
    print("\n" + text)
    (STATE_DIR / f"load-{args.complaints}.md").write_text(text + "\n")
    (STATE_DIR / f"load-{args.complaints}.json").write_text(
        json.dumps(
            {
                "complaints": args.complaints,
                "started": started.astimezone(dt.UTC).isoformat(),
                "workers": args.workers,
                "seconds": args.seconds,
                "loads": loads,
                "shares": mix.SHARES,
                "roster": mix.ROSTER,
                "steps": steps,
            },
            indent=2,
        )
    )
