"""The complaint page's action forms are drawn by ``form_fields.form_field`` instead of
crispy-forms: the HTML must stay what crispy gave, field for field, blank, with errors and
with values to show again, in both languages."""

from __future__ import annotations

import re

import pytest
import time_machine
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from complaints.forms.actions import ACTION_FORMS
from complaints.forms.intake import IntakeForm
from complaints.models import Stage
from complaints.templatetags.form_fields import form_field
from tests.complaints.helpers import TUESDAY_10, complaint_at
from tests.factories import BuildingFactory, UnitFactory


def _same(field) -> tuple[str, str]:
    """The field drawn by form_field, then by crispy (which leaves its class on the widget, so
    it comes second), each with the whitespace between tags taken out: attributes in the same
    order, the same text, byte for byte otherwise."""
    drawn = str(form_field(field))
    expected = str(as_crispy_field(field))
    assert parse_html(drawn) == parse_html(expected)
    return _squeezed(drawn), _squeezed(expected)


def _squeezed(html: str) -> str:
    html = re.sub(r"\s+", " ", html).strip()
    return re.sub(r"\s*(<|>)\s*", r"\1", html)


# Wrong on purpose where a field checks its value; a value to show again elsewhere.
BAD = {"version": "x", "callback_due_at": "soon", "validity": "nope", "reached": "maybe"}
SHOWN = {
    "reached": "true",
    "validity": "valid",
    "department": "ENG",
    "reason": 'a <b>"quoted"</b> & more',
    "explanation": "line one\n<script>x</script>",
    "callback_due_at": "2026-11-20T15:30",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_10, tick=False):
        yield


def _fields(complaint):
    for name, form_class in ACTION_FORMS.items():
        for data in (None, BAD, SHOWN):
            form = form_class(data, complaint=complaint)
            if data is not None:
                form.is_valid()
            for field in [*form.visible_fields(), *form.hidden_fields()]:
                yield f"{name}.{field.name} ({'blank' if data is None else 'bound'})", field


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("stage", [Stage.CLARIFICATION, Stage.RESOLUTION])
def test_every_form_field_is_the_html_crispy_forms_gave(supervisor, estate, stage, language):
    complaint = complaint_at(stage, actor=supervisor, estate=estate)
    compared = 0
    kinds = set()
    with translation.override(language):
        for where, field in _fields(complaint):
            drawn, expected = _same(field)
            assert drawn == expected, f"{where}:\n{drawn}\n!=\n{expected}"
            compared += 1
            kinds.add((type(field.field.widget).__name__, bool(field.errors)))
    assert compared > 100
    # Each kind of control the actions use, and each with an error, was compared.
    for widget in ("Select", "Textarea", "TextInput", "LocalDateTimeInput", "RadioSelect"):
        assert (widget, True) in kinds and (widget, False) in kinds, widget
    assert ("HiddenInput", False) in kinds


def test_a_value_is_escaped_where_the_page_shows_it_again(supervisor, estate):
    complaint = complaint_at(Stage.CLARIFICATION, actor=supervisor, estate=estate)
    form = ACTION_FORMS["hold"](SHOWN, complaint=complaint)
    html = Template("{% load form_fields %}{% form_field form.reason %}").render(
        Context({"form": form})
    )
    assert 'value="a &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; more"' in html
    assert "<b>" not in html


# The intake form's fields drawn by form_field (the category, the mindset and the evidence keep
# their own widgets' markup).
INTAKE_FIELDS = [
    "channel",
    "contact_name",
    "contact_phone",
    "received_at",
    "account",
    "summary",
    "severity",
    "desired_outcome",
    "estate",
    "building",
    "unit",
]
INTAKE_BAD = {"channel": "fax", "contact_phone": "<x>", "severity": "x", "received_at": "soon"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_intake_forms_plain_fields_are_the_html_crispy_forms_gave(frontdesk, estate, language):
    building = BuildingFactory(estate=estate, name="3号楼")
    unit = UnitFactory(building=building, entrance="2", floor=8, room="801")
    shown = {
        "channel": "phone",
        "estate": str(estate.pk),
        "building": str(building.pk),
        "unit": str(unit.pk),
        "summary": 'leak & "drip" <b>',
        "account": "it's wet",
    }
    kinds = set()
    with translation.override(language):
        for data in (None, INTAKE_BAD, shown):
            form = IntakeForm(data, user=frontdesk)
            if data is not None:
                form.is_valid()
            for name in INTAKE_FIELDS:
                field = form[name]
                drawn, expected = _same(field)
                assert drawn == expected, f"{name}:\n{drawn}\n!=\n{expected}"
                kinds.add((type(field.field.widget).__name__, bool(field.errors)))
    assert ("LocalDateTimeInput", True) in kinds and ("Select", True) in kinds, kinds
