"""A form field in crispy-forms' Bootstrap 5 markup, written out in Python.

A complaint page carries up to ten action forms, and the intake form a dozen plain fields.
Through crispy-forms each field is half a dozen nested templates, and each option of a select
one more: 20 of a complaint page's 57 ms of CPU. This tag gives the same HTML
(``tests/complaints/test_form_fields.py`` holds it to crispy's for every action's inputs and
the intake form's plain fields, blank, with errors and with values shown again) for text, text
area, date-time, select, radio buttons and hidden, without a template per control. Fields with
widgets of their own (the intake's category, mindset and evidence) stay with crispy-forms.
"""

from __future__ import annotations

from django import forms, template
from django.forms import BoundField
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

REQUIRED_MARK = '<span class="asteriskField">*</span>'


def _label(field: BoundField, *, tag: str = "label", css: str = "") -> str:
    required = " requiredField" if field.field.required else ""
    mark = REQUIRED_MARK if field.field.required else ""
    target = f' for="{field.id_for_label}"' if tag == "label" else ""
    return f'<{tag}{target} class="form-label{required}{css}">{escape(field.label)}{mark}</{tag}>'


def _errors(field: BoundField) -> str:
    if not field.errors:
        return ""
    items = "".join(
        format_html('<p id="error_{}_{}"><strong>{}</strong></p>', number, field.auto_id, error)
        for number, error in enumerate(field.errors, start=1)
    )
    return f'<div id="{field.auto_id}_error" class="invalid-feedback">{items}</div>'


def _help(field: BoundField) -> str:
    if not field.help_text:
        return ""
    return format_html(
        '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
    )


def _flat(attrs: dict) -> str:
    """Attributes as Django's ``attrs.html`` writes them: in order, True bare, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


def _attrs(field: BoundField, css: str | None) -> str:
    """The control's attributes as Django's widget templates write them, in their order: the
    widget's own (with crispy's class), then required and aria-…, then the id."""
    widget = field.field.widget
    attrs: dict[str, str | bool] = dict(widget.attrs)
    own = str(attrs.get("class") or "")
    if css and css not in own:  # as crispy: added once
        attrs["class"] = f"{own} {css}" if own else css
    attrs = field.build_widget_attrs(attrs, widget)
    attrs.setdefault("id", field.auto_id)
    return _flat(attrs)


def _input(field: BoundField, css: str | None) -> str:
    """A text, date-time or hidden input, or a text area, without Django's widget templates."""
    widget = field.field.widget
    value = widget.format_value(field.value())
    attrs = _attrs(field, css)
    if isinstance(widget, forms.Textarea):
        # Django's template starts the content on a new line, which browsers drop.
        return f'<textarea name="{field.html_name}"{attrs}>\n{escape(value or "")}</textarea>'
    shown = f' value="{escape(value)}"' if value is not None else ""
    return f'<input type="{widget.input_type}" name="{field.html_name}"{shown}{attrs}>'


def _select(field: BoundField, css: str) -> str:
    value = field.value()
    selected = "" if value is None else str(value)
    options = "".join(
        format_html(
            '<option value="{}"{}>{}</option>',
            option,
            mark_safe(" selected") if str(option) == selected else "",
            label,
        )
        for option, label in field.field.choices  # type: ignore[attr-defined]
    )
    return f'<select name="{field.html_name}"{_attrs(field, css)}>{options}</select>'


def _radios(field: BoundField, invalid: str) -> str:
    widget = field.field.widget
    attrs = field.build_widget_attrs({}, widget)
    attrs.pop("aria-describedby", None)  # on the fieldset, which describes them all
    value = field.value()
    chosen = "" if value is None else str(value)
    choices = list(field.field.choices)  # type: ignore[attr-defined]
    parts = []
    for index, (option, label) in enumerate(choices):
        checked = {"checked": True} if str(option) == chosen else {}
        extra = _flat({"id": f"{field.auto_id}_{index}", **attrs, **checked})
        errors = _errors(field) if index == len(choices) - 1 else ""
        parts.append(
            f'<div class="form-check"><input type="radio" class="form-check-input{invalid}" '
            f'name="{field.html_name}" value="{escape(option)}"{extra}>'
            f'<label for="{field.auto_id}_{index}" class="form-check-label">{escape(label)}'
            f"</label>{errors}</div>"
        )
    described = field.aria_describedby
    described_by = f' aria-describedby="{described}"' if described else ""
    return (
        f"<fieldset{described_by}>{_label(field, tag='legend', css=' fs-6')}"
        f"<div>{''.join(parts)}</div>{_help(field)}</fieldset>"
    )


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    """Label, control, errors and help text of one field; a hidden field's input alone."""
    widget = field.field.widget
    invalid = " is-invalid" if field.errors else ""
    if widget.is_hidden:
        return mark_safe(_input(field, None))
    if isinstance(widget, forms.RadioSelect):
        inner = _radios(field, invalid)
    elif isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        inner = _label(field) + _select(field, f"select form-select{invalid}")
        inner += _errors(field) + _help(field)
    else:
        css = f"{type(widget).__name__.lower()} form-control{invalid}"
        inner = _label(field) + _input(field, css)
        inner += _errors(field) + _help(field)
    return mark_safe(f'<div id="div_{field.auto_id}" class="mb-3">{inner}</div>')
