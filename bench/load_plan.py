"""The load benchmark's plan: the paths each demo user clicks, chosen from the data up front, the
same way on every run (``bench.load_mix`` says how often). Needs Django set up against the
database the web workers serve.

Worklist: unfiltered, each open stage, overdue only, and searched by four digits of a phone and
by a reference's tail. Complaint pages: up to ``COMPLAINTS_PER_USER`` of the newest
complaints the user may see, spread over them. Weekly summary: the last full week, all estates
and the first estate.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from bench import load_mix as mix
from complaints.models import Stage
from complaints.selectors import complaints_visible_to, estates_visible_to
from reports.iso_weeks import IsoWeek
from residents.selectors import phone_digits

COMPLAINTS_PER_USER = 50
NEWEST = 5000  # complaint pages come from this many of the user's newest complaints
OPEN_STAGES = [stage for stage in Stage.values if stage != Stage.CLOSED]


def _references(user: User) -> list[str]:
    newest = list(
        complaints_visible_to(user).order_by("-id").values_list("reference", flat=True)[:NEWEST]
    )
    step = max(1, len(newest) // COMPLAINTS_PER_USER)
    return newest[::step][:COMPLAINTS_PER_USER]


def _searches(user: User) -> list[str]:
    """Four digits from the middle of a phone and a reference's last four, of a complaint from
    the middle of what the user sees."""
    visible = complaints_visible_to(user).exclude(contact_phone="").order_by("id")
    count = visible.count()
    if not count:
        return ["/complaints/?q=1380"]
    complaint = visible[count // 2]
    digits = phone_digits(complaint.contact_phone)[-11:]
    return [f"/complaints/?q={digits[4:8]}", f"/complaints/?q={complaint.reference[-4:]}"]


def _user_pages(user: User, week: str) -> dict[str, dict[str, list[str]]]:
    estate = estates_visible_to(user).order_by("code").values_list("code", flat=True).first()
    pages = {
        mix.WORKLIST: {
            "worklist": ["/complaints/"],
            "worklist: stage": [f"/complaints/?stage={stage}" for stage in OPEN_STAGES],
            "worklist: overdue": ["/complaints/?overdue=on"],
            "worklist: search": _searches(user),
        },
        mix.COMPLAINT: {"complaint page": [f"/complaints/{r}/" for r in _references(user)]},
        mix.ESCALATIONS: {"escalation queue": ["/escalations/"]},
        mix.API_LIST: {"API complaint list": ["/api/v1/complaints/"]},
        mix.WEEKLY: {
            "weekly summary": [
                f"/reports/weekly/?week={week}",
                f"/reports/weekly/?week={week}&estate={estate}",
            ]
        },
        mix.INTAKE: {"intake form": ["/complaints/new/"]},
    }
    return {kind: found for kind, found in pages.items() if mix.opens(user.username, kind)}


def plan_build(roster: tuple[str, ...] = mix.ROSTER) -> mix.Plan:
    week = str(IsoWeek.last_full())
    return {username: _user_pages(User.objects.get(username=username), week) for username in roster}
