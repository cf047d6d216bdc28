"""What a workflow action asks for, declared once per input in ``complaints.workflow.ACTIONS``.

The page forms and the API serializers are generated from these declarations, and
``inputs_clean`` holds every body to them before an action's handler runs, so a caller from
Python (a test, the demo, a task) meets the same rules as a page or an API client. The numbers
and choice lists themselves belong to the workflow table, not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Kind(StrEnum):
    TEXT = "text"  # several lines
    LINE = "line"  # one line
    CHOICE = "choice"  # one of the input's ``choices``
    DATETIME = "datetime"  # a moment, with its time zone
    BOOL = "bool"
    DEPARTMENT = "department"  # a department's code, which the action looks up
    ASSIGNEE = "assignee"  # a staff member's username, which the action looks up
    INCIDENT = "incident"  # a building-wide incident's id, which the action looks up


# The largest id an integer primary key holds.
ID_MAX = 2**31 - 1

# Kinds whose value is a string, held to the input's ``max_length``.
TEXTUAL = frozenset({Kind.TEXT, Kind.LINE, Kind.DEPARTMENT, Kind.ASSIGNEE})


@dataclass(frozen=True)
class Input:
    """One field of an action's body, as the page, the API and the service all read it."""

    name: str
    kind: Kind
    label: StrOrPromise
    required: bool = True
    choices: tuple[TextChoices, ...] = ()
    max_length: int | None = None
    # How many lines a TEXT is drawn with on the page.
    rows: int = 3
    # The page's words for True and False, in that order, for a BOOL.
    answers: tuple[StrOrPromise, StrOrPromise] | tuple[()] = ()
    # What a BOOL answers a value that is not one: no message fits every question.
    invalid: StrOrPromise = ""
    # How far ahead a DATETIME may lie: a date years away would switch its deadline off.
    max_ahead: dt.timedelta | None = None
    # A TEXT the page offers the office's canned explanations (话术库) for.
    canned: bool = False

    def __post_init__(self) -> None:
        if self.kind in TEXTUAL and self.max_length is None:
            raise ValueError(f"the input {self.name!r} needs a max_length")
        if self.kind is Kind.CHOICE and not self.choices:
            raise ValueError(f"the input {self.name!r} needs its choices")
        if self.kind is Kind.BOOL and not (self.answers and self.invalid):
            raise ValueError(f"the input {self.name!r} needs its answers and its refusal")

    @property
    def values(self) -> list[str]:
        return [choice.value for choice in self.choices]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(spec: Input, value: Any) -> Any:
    """The value as the action's handler reads it, or a ValidationError saying why not."""
    if _missing(value):
        if spec.required:
            raise ValidationError(_("This field is required."))
        return None if spec.kind in (Kind.DATETIME, Kind.BOOL, Kind.INCIDENT) else ""
    if spec.kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise ValidationError(str(spec.invalid))
        return value
    if spec.kind is Kind.INCIDENT:
        return _incident_id(value)
    if spec.kind is Kind.DATETIME:
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            raise ValidationError(_("Give a date and time with its time zone."))
        if spec.max_ahead is not None and value > timezone.now() + spec.max_ahead:
            raise ValidationError(
                _("Choose a time at most %(days)d days ahead.") % {"days": spec.max_ahead.days}
            )
        return value
    text = str(value).strip()
    if spec.kind is Kind.CHOICE:
        if text not in spec.values:
            raise ValidationError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(spec.values)}
            )
        return text
    MaxLengthValidator(spec.max_length)(text)
    return text


def _incident_id(value: Any) -> int:
    """An id as a number or as the digits a page form posts."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if type(value) is not int or not 1 <= value <= ID_MAX:
        raise ValidationError(_("Give an incident's number, or nothing to unlink."))
    return value


def inputs_clean(inputs: Sequence[Input], data: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared input of ``data``, checked and normalised; undeclared keys are dropped.

    An optional input that was not given reads as "" (text) or None (a time or a yes/no).
    Raises ValidationError naming each refused field.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in inputs:
        try:
            cleaned[spec.name] = _clean(spec, data.get(spec.name))
        except ValidationError as exc:
            errors[spec.name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned
