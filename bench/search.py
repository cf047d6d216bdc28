"""The front desk's searches: the worklist's search box and received-date filter, and the
intake page's look-up, as two readers: the front desk of one estate (``frontdesk_b``, 锦都名苑)
and a manager of every estate.

What is typed comes from the data, the same way on every run: a complaint of that estate from
the middle of the table gives four digits from the middle of its caller's phone, a piece of
its reference (``261207-0003``) and the reference's last four digits, and its caller's name;
the units are said the three ways callers say them. The look-up types what ``bench.lookup``
types (``陈小明`` is one of the owners ``bench.units`` adds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import timezone

from bench.lookup import TYPED
from bench.server import Scenario
from complaints.models import Complaint
from residents.selectors import phone_digits

ESTATE = "JD"
READERS = (("frontdesk_b", "one estate"), ("manager", "all estates"))
UNITS_SAID = ("3号楼2单元801", "3-2-801", "32801")
PERIODS = ("today", "yesterday", "this_week", "last_week")


@dataclass
class SearchFixtures:
    phone_middle: str
    reference_piece: str
    reference_tail: str
    name: str
    received_from: dt.date
    received_to: dt.date


def fixtures_choose() -> SearchFixtures:
    mine = Complaint.objects.filter(estate__code=ESTATE).exclude(contact_phone="")
    count = mine.count()
    complaint = mine.select_related("resident").order_by("id")[count // 2]
    digits = phone_digits(complaint.contact_phone)[-11:]
    today = timezone.localdate()
    return SearchFixtures(
        phone_middle=digits[4:8],
        # TS-JD-261207-0003: the day and number, as a caller reads them off a text message.
        reference_piece=complaint.reference.split("-", 2)[2],
        reference_tail=complaint.reference[-4:],
        # A resident's complaint keeps her name on her record, a walk-in's on the complaint.
        name=complaint.contact_name or (complaint.resident.name if complaint.resident else ""),
        # A week three weeks back: a range that is neither a period's nor the whole table.
        received_from=today - dt.timedelta(days=27),
        received_to=today - dt.timedelta(days=21),
    )


def _reader_scenarios(fx: SearchFixtures, user: str, reader: str) -> list[Scenario]:
    custom = {"received_from": f"{fx.received_from}", "received_to": f"{fx.received_to}"}
    searched: list[tuple[str, dict[str, str]]] = [
        (f"q phone middle {fx.phone_middle}", {"q": fx.phone_middle}),
        (f"q reference {fx.reference_piece}", {"q": fx.reference_piece}),
        (f"q reference tail {fx.reference_tail}", {"q": fx.reference_tail}),
        *((f"q unit {said}", {"q": said}) for said in UNITS_SAID),
        (f"q name {fx.name}", {"q": fx.name}),
        *((f"period {period}", {"period": period}) for period in PERIODS),
        ("received range", custom),
        *(
            (f"period {period} + q phone middle", {"period": period, "q": fx.phone_middle})
            for period in PERIODS
        ),
        ("received range + q name", {**custom, "q": fx.name}),
        ("period this_week + q unit 3-2-801", {"period": "this_week", "q": "3-2-801"}),
        ("period last_week + q reference tail", {"period": "last_week", "q": fx.reference_tail}),
    ]
    worklist = [
        Scenario(f"worklist: {name} ({reader})", f"/complaints/?{urlencode(query)}", user)
        for name, query in searched
    ]
    lookups = [
        Scenario(
            f"intake look-up: {typed} ({reader})",
            f"/complaints/new/lookup/?{urlencode({'lookup': typed})}",
            user,
        )
        for typed, _kind in TYPED
    ]
    return worklist + lookups


def scenarios(fx: SearchFixtures) -> list[Scenario]:
    return [item for user, reader in READERS for item in _reader_scenarios(fx, user, reader)]
