"""The procedure's key points (要点) on the intake form and on every action form of a stage."""

from __future__ import annotations

import re

import pytest

from tests.complaints.helpers import complaint_at
from tests.complaints.page_helpers import (
    office_clock,  # noqa: F401 - a fixture, used by pytestmark
    signed_in,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_clock")]

POINTS = {
    "intake": {
        "en": [
            "Do not interrupt: let the resident finish.",
            "Do not make the resident tell it twice.",
            "Record it in detail, so that it can be looked up later.",
        ],
        "zh-hans": ["不得打断，让业户把话说完。", "不让业户重复陈述。", "详细记录，以备查询。"],
    },
    "clarification": {
        "en": [
            "Settle the feelings before the facts.",
            "See it from the resident&#x27;s side.",
            "Do not lead with our own reasons.",
            "Do not pass it on before it is understood.",
        ],
        "zh-hans": [
            "先处理心情，后处理事情。",
            "换位思考。",
            "不得先强调我方理由。",
            "未了解清楚不得转交。",
        ],
    },
    "resolution": {
        "en": [
            "Agree a time with the resident, and call back by it.",
            "Where another department must act, say so and coordinate with it.",
        ],
        "zh-hans": ["另约时间，限时回电。", "需要其他部门配合时，向业户说明并协调。"],
    },
    "follow_up": {
        "en": [
            "Record the follow-up visit: what was done and how satisfied the resident is.",
            "Classify and summarise it for the periodic review.",
        ],
        "zh-hans": ["做好回访记录：处理结果与业户满意度。", "归类总结，供定期分析。"],
    },
}
SUMMARY = {"en": "Key points", "zh-hans": "要点"}


def forms_of(body: str) -> dict[str, str]:
    """Each action form of the page, by action."""
    pattern = r'(<form[^>]*action="/complaints/[^/]+/actions/([a-z_]+)/".*?</form>)'
    return {name: chunk for chunk, name in re.findall(pattern, body, re.S)}


def key_points_of(chunk: str) -> tuple[str, list[str]]:
    match = re.search(
        r'<details class="desk-key-points[^>]*>\s*<summary>(.*?)</summary>(.*?)</details>',
        chunk,
        re.S,
    )
    assert match, chunk
    return match[1], re.findall(r"<li>(.*?)</li>", match[2])


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("stage", ["intake", "clarification", "resolution", "follow_up"])
def test_every_action_form_shows_the_key_points_of_the_complaints_stage(
    supervisor, estate, stage, language
):
    complaint = complaint_at(stage, actor=supervisor, estate=estate)
    body = text(signed_in(supervisor, language).get(f"/complaints/{complaint.reference}/"))
    forms = forms_of(body)
    assert len(forms) >= 3
    for chunk in forms.values():
        assert key_points_of(chunk) == (SUMMARY[language], POINTS[stage][language])


def test_the_key_points_come_first_in_a_form_and_closed(supervisor, estate):
    complaint = complaint_at("clarification", actor=supervisor, estate=estate)
    chunk = forms_of(text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/")))[
        "plan_resolution"
    ]
    details = chunk.index('class="desk-key-points')
    assert details < chunk.index("<select") and details < chunk.index("<textarea")
    assert re.search(r'<details class="desk-key-points[^>]*>', chunk)[0].count(" open") == 0


def test_a_closed_complaint_has_no_key_points(supervisor, estate):
    complaint = complaint_at("closed", actor=supervisor, estate=estate)
    body = text(signed_in(supervisor).get(f"/complaints/{complaint.reference}/"))
    assert "desk-key-points" not in body and "Key points" not in body


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_intake_form_shows_the_intake_key_points_above_the_form(frontdesk, language):
    body = text(signed_in(frontdesk, language).get("/complaints/new/"))
    assert key_points_of(body) == (SUMMARY[language], POINTS["intake"][language])
    assert body.index('class="desk-key-points') < body.index('id="intake-form"')
