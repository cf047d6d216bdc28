"""Apps of other projects under names the office reads, in both languages.

django-axes (which throttles repeated failed sign-ins) and django-rest-knox (API tokens) name
their admin sections in English only, and so do their models; Django's own Chinese catalogue
lacks two of the admin index's column titles. The admin index shows all of them, so they are
named here, in the desk's catalogue, which Django reads before any app's."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

OTHER_PROJECTS_WORDS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("auth token"),
    gettext_noop("auth tokens"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)


class SignInLockoutsConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


class ApiTokensConfig(AppConfig):
    name = "knox"
    verbose_name = _("API tokens")
