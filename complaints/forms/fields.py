"""Form fields shared by the page forms."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from residents.naming import natural_order

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# How a yes-or-no filter is written in a link or an API call; a ticked checkbox sends "on".
FLAG_YES = frozenset({"1", "true", "yes", "on"})
FLAG_NO = frozenset({"", "0", "false", "no", "off"})


def labelled(choices, values=None) -> list[tuple[str, str]]:
    """A TextChoices' options as a form shows them: capitalised, optionally only ``values``."""
    return [
        (value, capfirst(label))
        for value, label in choices.choices
        if values is None or value in values
    ]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read as wall time in the estate's zone, not the server's.

    Set ``zone`` after the form knows the estate; until then the server's zone applies.
    """

    widget = LocalDateTimeInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("input_formats", [LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)
        self.zone: zoneinfo.ZoneInfo | None = None

    def to_python(self, value):
        result = super().to_python(value)
        if result is None or self.zone is None:
            return result
        wall = timezone.localtime(result).replace(tzinfo=None)
        return wall.replace(tzinfo=self.zone)

    def prepare_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value) and self.zone is not None:
            return timezone.localtime(value, self.zone).replace(tzinfo=None)
        return super().prepare_value(value)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by the evidence service, not here."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        # An empty file too: the service's refusal names it.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


# ``form.fields`` knows its fields only as fields; these name what one was declared as.
def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def local_datetime_field(form: forms.BaseForm, name: str) -> LocalDateTimeField:
    return cast(LocalDateTimeField, form.fields[name])


class NaturalOrderChoiceIterator(ModelChoiceIterator):
    """The queryset's rows by their labels read naturally ("2号楼" before "10号楼"), which
    the database's text order does not give."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in natural_order(self.queryset, self.field.label_from_instance):
            yield self.choice(obj)


class NaturalOrderModelChoiceField(forms.ModelChoiceField):
    iterator = NaturalOrderChoiceIterator


def _flag_set(value) -> bool:
    return value is True or str(value).strip().lower() in FLAG_YES


class FlagCheckbox(forms.CheckboxInput):
    """A checkbox that hands the field the word it was sent (Django's reads any word but
    ``false`` as ticked, so a link's ``mine=0`` listed only the reader's complaints)."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, check_test=_flag_set)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class FlagField(forms.Field):
    """A yes-or-no filter, read alike on the pages and in the API: ``true`` or ``false``
    (``1``/``0``, ``yes``/``no``, ``on``/``off``); left out, no."""

    widget = FlagCheckbox
    default_error_messages = {"invalid": _("Enter true or false.")}

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> bool:
        word = "" if value is None else str(value).strip().lower()
        if word in FLAG_YES:
            return True
        if word in FLAG_NO:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")
