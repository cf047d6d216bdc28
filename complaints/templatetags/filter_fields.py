"""A filter form's field in Bootstrap's markup, for the lists every desk reloads all day.

The worklist and the queue draw their filters on every request. Through crispy-forms and
Django's widget templates, each option of each select is a template of its own (the category
select alone has some forty); here a select is joined from its choices in one pass. Text and
date inputs keep Django's widget (one template each)."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms, template
from django.forms import BoundField
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _options(choices: Iterable, selected: str) -> str:
    parts = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # a group of choices
            parts.append(
                f'<optgroup label="{escape(value)}">{_options(label, selected)}</optgroup>'
            )
            continue
        mark = " selected" if str(value) == selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return "".join(parts)


def _control(field: BoundField, css: str, described_by: str) -> str:
    widget = field.field.widget
    invalid = " is-invalid" if field.errors else ""
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        value = field.value()
        selected = "" if value is None else str(value)
        choices = _options(field.field.choices, selected)  # type: ignore[attr-defined]
        return (
            f'<select name="{field.html_name}" id="{field.auto_id}" '
            f'class="form-select{invalid}"{described_by}>{choices}</select>'
        )
    attrs: dict[str, str | bool] = {"class": f"{css}{invalid}"}
    if described_by:
        attrs["aria-describedby"] = f"{field.auto_id}_helptext"
    return str(field.as_widget(attrs=attrs))


@register.simple_tag
def filter_field(field: BoundField, css: str = "form-control") -> SafeString:
    """Label, control, errors and help text of one field, as crispy-forms would lay them out."""
    help_id = f"{field.auto_id}_helptext"
    described_by = f' aria-describedby="{help_id}"' if field.help_text else ""
    parts = [
        format_html('<label for="{}" class="form-label">{}</label>', field.auto_id, field.label),
        _control(field, css, described_by),
        *(format_html('<div class="invalid-feedback d-block">{}</div>', e) for e in field.errors),
    ]
    if field.help_text:
        parts.append(
            format_html('<div id="{}" class="form-text">{}</div>', help_id, field.help_text)
        )
    return mark_safe(f'<div id="div_{field.auto_id}" class="mb-3">{"".join(parts)}</div>')
