"""The Jinja2 environment for the few row templates rendered many times a page
(templates/jinja2/): HTML escaping (MarkupSafe's: ' as &#39; where Django writes &#x27;) and
Django's translations, as in Django's templates. A name a template misspells is an error, not
an empty cell."""

from __future__ import annotations

from django.utils import translation
from jinja2 import Environment, StrictUndefined


def environment(**options) -> Environment:
    options.update(extensions=["jinja2.ext.i18n"], undefined=StrictUndefined)
    env = Environment(**options)
    # Old-style: a translation is a plain string, escaped like any other value (as Django does).
    env.install_gettext_translations(translation)  # type: ignore[attr-defined]
    return env
