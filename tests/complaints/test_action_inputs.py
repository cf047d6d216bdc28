"""Each action's inputs are declared once, in the workflow table; the page, the API and the
service all read them from there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError

from complaints.api.serializers import ACTION_SERIALIZERS, action_serializer_class
from complaints.forms.actions import ACTION_FORMS, action_form_class
from complaints.inputs import TEXTUAL, Input, Kind, inputs_clean
from complaints.models import Channel, Stage
from complaints.services.actions import HANDLERS
from complaints.workflow import ACTIONS, OPEN_STAGES, Action
from staff.roles import FRONT_DESK_PLUS
from tests.complaints.helpers import TUESDAY_10, act, complaint_at, snapshot, valid_data
from tests.complaints.page_helpers import signed_in

DECLARED = [(name, spec) for name, action in ACTIONS.items() for spec in action.inputs]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_10, tick=False):
        yield


def _offered(field) -> list[str]:
    return [str(value) for value, _label in field.choices if value != ""]


def test_the_page_form_and_the_api_body_of_every_action_are_its_declared_inputs(supervisor, estate):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)
    for name, action in ACTIONS.items():
        form_fields = ACTION_FORMS[name](complaint=complaint).fields
        api_fields = ACTION_SERIALIZERS[name]().fields
        declared = [spec.name for spec in action.inputs]
        assert list(form_fields) == ["version", *declared], name
        assert list(api_fields) == [*declared, "version"], name
        for spec in action.inputs:
            form_field, api_field = form_fields[spec.name], api_fields[spec.name]
            where = f"{name}.{spec.name}"
            assert form_field.label == spec.label, where
            assert form_field.required is api_field.required is spec.required, where
            if spec.kind in (Kind.TEXT, Kind.LINE):
                assert form_field.max_length == api_field.max_length == spec.max_length, where
            if spec.kind in (Kind.DEPARTMENT, Kind.ASSIGNEE):
                assert api_field.max_length == spec.max_length, where
            if spec.kind is Kind.CHOICE:
                assert sorted(_offered(form_field)) == sorted(spec.values), where
                assert sorted(api_field.choices) == sorted(spec.values), where


@pytest.mark.parametrize(
    ("action", "spec"),
    [(name, spec) for name, spec in DECLARED if spec.kind in TEXTUAL],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_the_service_holds_a_text_to_its_declared_length(action, spec):
    limit = spec.max_length
    body = {spec.name: "x" * limit}

    assert inputs_clean(ACTIONS[action].inputs, {**valid_data(action), **body})[spec.name]
    with pytest.raises(ValidationError) as invalid:
        inputs_clean(ACTIONS[action].inputs, {**valid_data(action), spec.name: "x" * (limit + 1)})

    assert invalid.value.message_dict == {
        spec.name: [f"Ensure this value has at most {limit} characters (it has {limit + 1})."]
    }


@pytest.mark.parametrize(
    ("action", "spec"),
    [(name, spec) for name, spec in DECLARED if spec.kind is Kind.CHOICE],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_the_service_accepts_exactly_the_declared_choices(action, spec):
    for value in spec.values:
        body = {**valid_data(action), spec.name: value}
        assert inputs_clean(ACTIONS[action].inputs, body)[spec.name] == value
    with pytest.raises(ValidationError) as invalid:
        inputs_clean(ACTIONS[action].inputs, {**valid_data(action), spec.name: "deadline_missed"})

    assert invalid.value.message_dict == {spec.name: [f"Choose one of: {', '.join(spec.values)}."]}


def test_a_hold_reason_longer_than_its_column_is_refused_not_cut(supervisor, estate):
    complaint = complaint_at(Stage.RESOLUTION, actor=supervisor, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(ValidationError) as invalid:
        act(complaint, supervisor, "hold", **{**valid_data("hold"), "reason": "等" * 201})

    assert invalid.value.message_dict == {
        "reason": ["Ensure this value has at most 200 characters (it has 201)."]
    }
    assert snapshot(complaint) == before


# --- declared in one file ----------------------------------------------------------------------

APP_PACKAGES = ("complaints", "staff", "residents", "config")
TABLE = Path(settings.BASE_DIR) / "complaints" / "workflow.py"
# The modules that used to repeat the inputs; lengths written there would be a second copy.
ACTION_MODULES = (
    "complaints/services/actions.py",
    "complaints/forms/actions.py",
    "complaints/api/serializers.py",
    "complaints/views/actions.py",
)
# Definitions in those modules that serve no workflow action and have lengths of their own.
NOT_ACTIONS = {"ComplaintCreateSerializer", "AcknowledgeForm"}


def _app_sources() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [
        path
        for package in APP_PACKAGES
        for path in sorted((base / package).rglob("*.py"))
        if "migrations" not in path.parts and path != TABLE
    ]


def _members(node: ast.AST, choices: set[str]) -> set[str]:
    """The choice values a list, tuple or set literal names, as strings or as ``Enum.MEMBER``."""
    found = set()
    for item in getattr(node, "elts", []):
        if isinstance(item, ast.Constant) and item.value in choices:
            found.add(item.value)
        if isinstance(item, ast.Attribute) and item.attr.lower() in choices:
            found.add(item.attr.lower())
    return found


def test_no_other_file_lists_an_action_s_choices():
    whole_sets = {
        type(spec.choices[0]).__name__
        for _name, spec in DECLARED
        if spec.kind is Kind.CHOICE and set(spec.choices) == set(type(spec.choices[0]))
    }
    subsets = [set(spec.values) for _name, spec in DECLARED if spec.kind is Kind.CHOICE]
    copies = []
    for path in _app_sources():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.List | ast.Tuple | ast.Set):
                copies += [
                    f"{path}:{node.lineno}"
                    for values in subsets
                    if _members(node, values) == values
                ]
        if path.relative_to(settings.BASE_DIR).as_posix() in ACTION_MODULES:
            # A whole set of choices, taken from its class (``Liability.choices``) for a field.
            copies += [
                f"{path}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute)
                and node.attr in ("choices", "values")
                and isinstance(node.value, ast.Name)
                and node.value.id in whole_sets
            ]

    assert copies == []


def test_no_action_module_writes_a_length_of_its_own():
    lengths = []
    for module in ACTION_MODULES:
        tree = ast.parse((Path(settings.BASE_DIR) / module).read_text("utf-8"))
        for definition in tree.body:
            if getattr(definition, "name", None) in NOT_ACTIONS:
                continue
            for node in ast.walk(definition):
                number = None
                if isinstance(node, ast.keyword) and node.arg == "max_length":
                    number = node.value
                if isinstance(node, ast.Slice):
                    number = node.upper
                if isinstance(number, ast.Constant):
                    lengths.append(f"{module}:{number.lineno}")

    assert lengths == []


def test_the_escalate_reasons_and_the_hold_reason_length_are_declared_in_the_table():
    """The two examples of the old copies: the scans above look for them everywhere else."""
    escalate = {spec.name: spec for spec in ACTIONS["escalate"].inputs}["reason"]
    hold = {spec.name: spec for spec in ACTIONS["hold"].inputs}["reason"]

    assert escalate.values == ["unsatisfied", "refused_time", "other"]
    assert hold.max_length == 200
    assert "EscalationReason.REFUSED_TIME" in TABLE.read_text("utf-8")


# --- a new action: one entry in the table and its handler ------------------------------------

VISIT = Action(
    "record_visit",
    "Record a visit",
    OPEN_STAGES,
    None,
    FRONT_DESK_PLUS,
    inputs=(
        Input("channel", Kind.CHOICE, "How", choices=(Channel.PHONE, Channel.WALK_IN)),
        Input("summary", Kind.LINE, "What was seen", max_length=20),
        Input("next_at", Kind.DATETIME, "Next visit", required=False),
    ),
)


def _record_visit(ctx) -> tuple[str, dict]:
    return ctx.data["summary"], {"channel": ctx.data["channel"], "next_at": ctx.data["next_at"]}


@pytest.fixture
def visit_action(monkeypatch):
    monkeypatch.setitem(ACTIONS, VISIT.name, VISIT)
    monkeypatch.setitem(HANDLERS, VISIT.name, _record_visit)
    # What the modules build for every entry of the table when they are imported.
    monkeypatch.setitem(ACTION_FORMS, VISIT.name, action_form_class(VISIT.name))
    monkeypatch.setitem(ACTION_SERIALIZERS, VISIT.name, action_serializer_class(VISIT))


def test_a_new_entry_and_its_handler_are_a_whole_action_in_the_service(
    visit_action, supervisor, estate
):
    complaint = complaint_at(Stage.CLARIFICATION, actor=supervisor, estate=estate)
    before = snapshot(complaint)

    with pytest.raises(ValidationError) as invalid:
        act(complaint, supervisor, "record_visit", channel="letter", summary="门锁" * 11)
    assert snapshot(complaint) == before
    visited = act(complaint, supervisor, "record_visit", channel="walk_in", summary=" 门锁已修 ")

    assert invalid.value.message_dict == {
        "channel": ["Choose one of: phone, walk_in."],
        "summary": ["Ensure this value has at most 20 characters (it has 22)."],
    }
    event = visited.events.last()
    assert (event.kind, event.note, event.data) == (
        "record_visit",
        "门锁已修",
        {"channel": "walk_in", "next_at": None},
    )


def test_a_new_entry_and_its_handler_are_a_whole_action_on_the_page_and_in_the_api(
    visit_action, supervisor, estate, api
):
    complaint = complaint_at(Stage.CLARIFICATION, actor=supervisor, estate=estate)
    page = signed_in(supervisor)
    path = f"/complaints/{complaint.reference}/actions/record_visit/"
    api_path = f"/api/v1/complaints/{complaint.reference}/actions/record_visit/"

    drawn = page.get(f"/complaints/{complaint.reference}/").content.decode()
    refused_page = page.post(path, {"channel": "letter", "summary": "x"})
    refused_api = api.as_user(supervisor).post(
        api_path, {"channel": "phone", "summary": "x" * 21}, format="json"
    )
    done_page = page.post(path, {"channel": "phone", "summary": "门锁已修"})
    done_api = api.post(api_path, {"channel": "walk_in", "summary": "复查"}, format="json")

    assert 'name="summary" maxlength="20"' in drawn
    assert "What was seen" in drawn
    assert refused_page.status_code == 400
    assert "Select a valid choice. letter is not one of the available choices." in (
        refused_page.content.decode()
    )
    assert (refused_api.status_code, refused_api.json()) == (
        400,
        {"summary": ["Ensure this field has no more than 20 characters."]},
    )
    assert done_page.status_code == 302
    assert done_api.status_code == 200
    assert "record_visit" in done_api.json()["actions"]
    notes = list(complaint.events.filter(kind="record_visit").values_list("note", flat=True))
    assert notes == ["门锁已修", "复查"]
