"""What the providers' backends share: their settings, the sorting of the providers' answers into
sent, retry and failed, and the rule that no credential reaches a log line or a stored detail.

The providers' SDKs log each request they send, headers and all, at DEBUG (Tencent's always to
its logger, Alibaba Cloud's when ``DEBUG=sdk`` is in the environment); the Authorization header
names the key id. A filter on those loggers blanks credentials and signatures before any handler
sees the record.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.sms.base import TEMPLATE_VARIABLES, Outcome, Result, TextMessage

# The outbox keeps 300 characters of a failure.
DETAIL_LENGTH = 250
REDACTED = "[redacted]"
SDK_LOGGERS = (
    "tencentcloud_sdk_common",
    "darabonba-core",
    "alibabacloud-tea",
    "credentials",
    "urllib3.connectionpool",
)
# Headers and parameters that carry a credential or what is signed with one.
_CREDENTIAL_FIELDS = re.compile(
    r"(?im)(authorization|x-acs-accesskey-id|x-acs-security-token|x-acs-bearer-token|x-tc-token"
    r"|accesskeyid|access_key_id|secretid|secret_id|signature|securitytoken)"
    r"(\"?\s*[:=]\s*\"?)[^\n&\"]*"
)
_CREDENTIAL_IN_SCOPE = re.compile(r"Credential=[^,\s/]+")
# A request's query string in a network error: the number and the message, never the reason.
_QUERY = re.compile(r"(/[^\s?]*)\?[^\s)'\"]+")


class _CredentialFilter(logging.Filter):
    """Rewrites every record of the SDKs' loggers without the credentials it was told of."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self._lock = threading.Lock()

    def remember(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self.secrets |= {secret for secret in secrets if secret}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_filter = _CredentialFilter()


def credentials_hide(*secrets: str) -> None:
    """Keeps ``secrets`` (and any credential header) out of the SDKs' log records."""
    _filter.remember(secrets)
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)


def redact(text: str) -> str:
    text = _CREDENTIAL_FIELDS.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _CREDENTIAL_IN_SCOPE.sub("Credential=" + REDACTED, text)
    for secret in sorted(_filter.secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def detail(code: object, message: object) -> str:
    """``code: message`` for the outbox row: one line, short, and without a credential."""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    text = " ".join(f"{code}: {message}".split())
    text = _QUERY.sub(r"\1?…", text)
    text = redact(text)
    if len(text) > DETAIL_LENGTH:
        text = text[: DETAIL_LENGTH - 1] + "…"
    return text


def outcome_of(
    code: str, exact: Mapping[str, Outcome], prefixes: Iterable[tuple[str, Outcome]]
) -> Outcome:
    """The outcome a provider's code means: by the code itself, else by its family (the first
    prefix that matches), else retry: the outbox gives up after its attempts."""
    if code in exact:
        return exact[code]
    for prefix, outcome in prefixes:
        if code.startswith(prefix):
            return outcome
    return Outcome.RETRY


def settings_required(backend: str, names: Iterable[str]) -> None:
    """ImproperlyConfigured naming every setting the backend lacks (never a value)."""
    missing = [name for name in names if not getattr(settings, name, "")]
    if missing:
        raise ImproperlyConfigured(
            f"DESK_SMS_BACKEND={backend} needs {', '.join(missing)} in the environment."
        )


def template_refusal(message: TextMessage) -> Result | None:
    """A FAILED result when the message's kind has no template or lacks one of its variables;
    None when it can be sent."""
    names = TEMPLATE_VARIABLES.get(message.kind)
    if names is None:
        return Result(Outcome.FAILED, f"no such message kind: {message.kind}"[:DETAIL_LENGTH])
    if not settings.DESK_SMS_TEMPLATES.get(message.kind):
        variable = f"DESK_SMS_TEMPLATE_{message.kind.upper()}"
        return Result(Outcome.FAILED, f"no template for {message.kind}: set {variable}")
    missing = [name for name in names if name not in message.params]
    if missing:
        return Result(Outcome.FAILED, f"{message.kind} lacks variables: {', '.join(missing)}")
    return None


def template_values(message: TextMessage) -> list[str]:
    """The template's variables in the template's order."""
    return [str(message.params[name]) for name in TEMPLATE_VARIABLES[message.kind]]


def endpoint() -> tuple[str | None, str]:
    """The API's host[:port] when set (None: the provider's own), and the scheme to it."""
    scheme = settings.DESK_SMS_ENDPOINT_SCHEME.lower()
    if scheme not in ("http", "https"):
        raise ImproperlyConfigured("DESK_SMS_ENDPOINT_SCHEME must be http or https.")
    return (settings.DESK_SMS_ENDPOINT or None), scheme
