"""The search box (``q`` of the worklist, its exports and the API list): what it finds, in which
order, and on PostgreSQL the indexes that find it without reading the whole table."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection, transaction

import residents.selectors
from complaints import search
from complaints.models import Complaint
from complaints.selectors import complaint_list
from tests.complaints.page_helpers import NOW, office_clock, signed_in, text  # noqa: F401
from tests.factories import ResidentFactory, log_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]


@pytest.fixture
def desk(frontdesk, supervisor, estate, other_estate, unit, resident):
    """Complaints received an hour apart, in this order; ``resident`` is 王芳, 13812345678."""
    hers = {"estate": estate, "unit": unit, "resident": resident, "contact_name": ""}
    rows = [
        # Her own number: intake copies the resident's phone when none is given.
        ("lift", frontdesk, {**hers, "contact_phone": "", "summary": "电梯停运"}),
        # A walk-in, the number written the international way.
        ("walk_in", frontdesk, {"estate": estate, "contact_name": "李雷",
         "contact_phone": "+86 139 0000 1111", "summary": "水费多收100%_请核实"}),
        # Hers, called in from her son's number.
        ("son", frontdesk, {**hers, "contact_phone": "137 0000 2222",
         "summary": "Lift door squeaks"}),
        ("four_chars", frontdesk, {"estate": estate, "contact_name": "欧阳娜娜",
         "contact_phone": "13600003333", "summary": "楼道灯不亮"}),
        # The same name and number at an estate the front desk does not cover.
        ("elsewhere", supervisor, {"estate": other_estate, "contact_name": "王芳",
         "contact_phone": "13812345678", "summary": "电梯停运"}),
    ]  # fmt: skip
    return {
        key: log_complaint(actor, received_at=NOW - dt.timedelta(hours=9 - hour), **fields)
        for hour, (key, actor, fields) in enumerate(rows)
    }


def found(user, q: str, desk: dict) -> list[str]:
    """The keys of ``desk`` that ``q`` finds, in the order the worklist lists them."""
    by_pk = {complaint.pk: key for key, complaint in desk.items()}
    return [
        by_pk[pk] for pk in complaint_list(user=user, filters={"q": q}).values_list("pk", flat=True)
    ]


@pytest.mark.parametrize(
    ("q", "keys"),
    [
        # The resident's name, whole, in part, one character: newest first.
        ("王芳", ["son", "lift"]),
        ("王", ["son", "lift"]),
        ("芳", ["son", "lift"]),
        # A walk-in's name: one, two and three characters from within it.
        ("雷", ["walk_in"]),
        ("阳娜", ["four_chars"]),
        ("欧阳娜", ["four_chars"]),
        # Words of the summary, in any case.
        ("电梯", ["lift"]),
        ("电梯停运", ["lift"]),
        ("lift", ["son"]),
        ("LIFT", ["son"]),
        ("iF", ["son"]),
        ("squeaks", ["son"]),
        # The full number, with or without +86 and spaces: her complaints, whichever number
        # each was called in from; not the other estate's.
        ("13812345678", ["son", "lift"]),
        ("+86 138 1234 5678", ["son", "lift"]),
        ("8613812345678", ["son", "lift"]),
        ("5678", ["son", "lift"]),
        # The son's number finds only the complaint called in from it.
        ("13700002222", ["son"]),
        ("2222", ["son"]),
        ("0000 1111", ["walk_in"]),
        # Characters LIKE treats as wildcards are matched as themselves.
        ("100%", ["walk_in"]),
        ("%", ["walk_in"]),
        ("_", ["walk_in"]),
        ("%_", ["walk_in"]),
        ("100%_请", ["walk_in"]),
        # Any four digits or more of a phone, from anywhere in it, hers or the contact's.
        ("1234", ["son", "lift"]),
        ("3812 34", ["son", "lift"]),
        ("70000", ["son"]),
        ("3900", ["walk_in"]),
        ("１３８１２３４５６７８", ["son", "lift"]),  # full-width digits
        # Copied from a chat, with characters that show nothing: zero-width space and joiner,
        # a direction mark.
        ("\u200b138 1234 5678", ["son", "lift"]),
        ("王\u200d芳", ["son", "lift"]),
        ("\u200e电梯\u200b", ["lift"]),
        # Three digits are not a phone search; nothing else holds them.
        ("138", []),
        ("张", []),
        ("Z", []),
        ("nothing like it", []),
    ],
)
def test_what_a_search_finds(frontdesk, desk, q, keys):
    assert found(frontdesk, q, desk) == keys


def test_a_reference_is_found_whole_in_any_case(frontdesk, desk):
    reference = desk["son"].reference
    assert found(frontdesk, reference, desk) == ["son"]
    assert found(frontdesk, reference.lower(), desk) == ["son"]


def test_a_piece_of_a_reference_finds_the_complaints_holding_it(frontdesk, desk):
    # TS-HY-260310-0003: the day and number, the estate and day, spaces for dashes, any case.
    reference = desk["son"].reference
    day, number = reference.split("-")[2:]
    here = ["four_chars", "son", "walk_in", "lift"]  # every one of the front desk's, that day
    assert found(frontdesk, f"{day}-{number}", desk) == ["son"]
    assert found(frontdesk, f"{day} {number}", desk) == ["son"]
    assert found(frontdesk, f"hy-{day}", desk) == here
    assert found(frontdesk, f"ＨＹ－{day}", desk) == here  # full-width, as some keyboards type
    assert found(frontdesk, day, desk) == here
    # The number alone is also four digits of a phone: 欧阳娜娜's 136 0000 3333 holds 0003.
    assert found(frontdesk, number, desk) == ["four_chars", "son"]
    assert found(frontdesk, f"{day}-9999", desk) == []


@pytest.mark.parametrize(
    "q",
    [
        "3号楼2单元1201",
        "3栋2单元1201",
        "3-2-1201",
        "3 - 2 - 1201",
        "321201",
        "３－２－１２０１",
        "1201",
    ],
)
def test_a_unit_as_callers_say_it_finds_its_complaints(frontdesk, desk, q):
    # Hers are of 3号楼 2单元 1201, whichever number they were called in from.
    assert found(frontdesk, q, desk) == ["son", "lift"]


@pytest.mark.parametrize("q", ["3-1-1201", "4-2-1201", "3号楼2单元1202", "41201"])
def test_another_unit_finds_none_of_hers(frontdesk, desk, q):
    assert found(frontdesk, q, desk) == []


def test_a_phone_number_reads_no_units(frontdesk, desk, django_assert_num_queries):
    # Eleven digits are a phone, never a unit: the residents are read, the units are not.
    with django_assert_num_queries(2) as captured:
        assert found(frontdesk, "13812345678", desk) == ["son", "lift"]
    assert "residents_unit" not in captured.captured_queries[0]["sql"]


def test_another_estates_complaint_is_never_found(frontdesk, frontdesk_b, supervisor, desk):
    elsewhere = desk["elsewhere"].reference
    for q in ("王芳", "13812345678", "电梯", elsewhere, elsewhere.lower()):
        assert "elsewhere" not in found(frontdesk, q, desk)
    assert found(frontdesk_b, "王芳", desk) == ["elsewhere"]
    assert found(supervisor, "13812345678", desk) == ["elsewhere", "son", "lift"]


def test_a_residents_new_number_finds_her_earlier_complaints(frontdesk, desk, resident):
    resident.phone = "13955556666"
    resident.save()
    assert found(frontdesk, "13955556666", desk) == ["son", "lift"]
    assert found(frontdesk, "13812345678", desk) == ["lift"]  # still the number it was logged with


def test_a_resident_found_by_her_own_number_needs_no_branch_of_her_own(frontdesk, desk, unit):
    # All her complaints carry her number: the contact phone finds them, and her id is not
    # added as a second branch (the planner would count her complaints twice).
    li = ResidentFactory(name="李四", phone="13611112222", units=[unit])
    hers = {"unit": unit, "resident": li, "contact_name": "", "contact_phone": ""}
    desk["li"] = log_complaint(frontdesk, estate=unit.building.estate, **hers)
    assert found(frontdesk, "13611112222", desk) == ["li"]
    assert '"resident_id" IN (' not in _where("1111 2222")
    # Hers from the son's number keep 王芳 in the list.
    assert '"resident_id" IN (' in _where("13812345678")


def _where(q: str) -> str:
    """Everything after the query's first WHERE: each way of matching, as its SELECT of ids."""
    return str(Complaint.objects.filter(search.search_match(q)).query).split(" WHERE ", 1)[1]


def test_many_matching_residents_give_the_same_answer(frontdesk, desk, unit, monkeypatch):
    ResidentFactory(name="王强", phone="13811112222", units=[unit])
    listed = found(frontdesk, "王", desk)
    monkeypatch.setattr(residents.selectors, "IDS_LISTED_MAX", 1)  # two match: a subquery
    assert found(frontdesk, "王", desk) == listed == ["son", "lift"]


def test_the_worklist_the_export_and_the_api_search_alike(api, frontdesk, desk):
    order = [desk[key].reference for key in ("son", "lift")]
    browser = signed_in(frontdesk)
    page = text(browser.get("/complaints/", {"q": "+86 138 1234 5678"}))
    assert [ref for ref in order if ref in page] == order
    assert page.index(order[0]) < page.index(order[1])
    export = browser.get("/complaints/export.csv", {"q": "王芳"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == order
    body = api.as_user(frontdesk).get("/api/v1/complaints/", {"q": "王"}).json()
    assert [c["reference"] for c in body["results"]] == order


# --- PostgreSQL: the indexes ------------------------------------------------------------------

SEARCH_INDEXES = {
    "complaint_reference_upper": "btree (upper((reference)::text))",
    "complaint_reference_trgm": "gin (upper((reference)::text) gin_trgm_ops)",
    "complaint_summary_trgm": "gin (upper((summary)::text) gin_trgm_ops)",
    "complaint_contact_name_trgm": "gin (upper((contact_name)::text) gin_trgm_ops)",
    "complaint_contact_phone_trgm": "gin (contact_phone gin_trgm_ops)",
    "complaint_search_grams": "gin (complaint_search_grams((summary)::text, (contact_name)::text))",
    "resident_name_trgm": "gin (upper((name)::text) gin_trgm_ops)",
    "resident_phone_trgm": "gin (phone gin_trgm_ops)",
}


@pytest.mark.postgres
def test_the_migration_made_the_search_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(SEARCH_INDEXES)],
        )
        made = dict(cursor.fetchall())
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchall() == [("pg_trgm",)]
        cursor.execute("SELECT complaint_search_grams('电梯停运', 'Li')")
        grams = cursor.fetchone()[0]
    assert set(made) == set(SEARCH_INDEXES)
    for name, definition in SEARCH_INDEXES.items():
        options = " WITH (fastupdate=off)" if definition.startswith("gin") else ""
        assert made[name].endswith(f"USING {definition}{options}"), made[name]
    # Every character and pair of characters, upper-cased; pairs across the two texts hold the
    # newline that joins them, which a stripped search never contains.
    assert set(grams) == {"电", "梯", "停", "运", "L", "I", "电梯", "梯停", "停运", "LI"} | {
        "\n",
        "运\n",
        "\nL",
    }


def _plan(q: str) -> str:
    """EXPLAIN of the search's condition with table and ordered index reads ruled out: what is
    left is bitmap scans, possible only if every branch of the search has an index."""
    queryset = Complaint.objects.filter(search.search_match(q)).order_by("-received_at")[:51]
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("q", "indexes"),
    [
        (
            "+86 138 1234 5678",
            [
                "complaint_reference_upper",
                "complaint_summary_trgm",
                "complaint_contact_name_trgm",
                "complaint_contact_phone_trgm",
            ],
        ),
        ("欧阳娜", ["complaint_summary_trgm", "complaint_contact_name_trgm"]),
        ("王芳", ["complaint_reference_upper", "complaint_search_grams"]),
        ("王", ["complaint_search_grams"]),
        # A piece of a reference; a phone's digits too, and a unit's, by their ids.
        ("260310-0003", ["complaint_reference_trgm", "complaint_contact_phone_trgm"]),
    ],
)
def test_every_branch_of_a_search_is_read_from_an_index(desk, q, indexes):
    plan = _plan(q)
    # Each way of matching is its own SELECT of ids (UNION ALL), each from its index.
    assert "Append" in plan, plan
    assert "Seq Scan on complaints_complaint" not in plan, plan
    for index in indexes:
        assert f"Bitmap Index Scan on {index}" in plan, plan
    if q not in ("欧阳娜", "260310-0003"):  # her id, read from the residents first, by index
        assert "Index Cond: (resident_id = " in plan, plan
