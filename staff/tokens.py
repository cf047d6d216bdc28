"""API tokens (django-rest-knox): issued for a correct password, stored only as a SHA-512
digest, valid for ``DESK_API_TOKEN_DAYS`` days, seen and revoked by their owner, and all revoked
when the owner's password changes or the owner is deactivated (``staff.receivers``).

A token is shown once, when it is issued. Afterwards its owner knows it by its prefix (its first
15 characters, which knox keeps to find it) with its issue and expiry times; the digest and the
token itself are never shown again.
"""

from __future__ import annotations

import datetime as dt
import re
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.exceptions import AuthenticationFailed

PREFIX_LENGTH = CONSTANTS.TOKEN_KEY_LENGTH
# knox issues 64 hexadecimal digits; tokens carried over from the former scheme (Django REST
# framework's own tokens, migration staff 0003) have 40.
TOKEN_SHAPE = re.compile(r"[0-9a-f]{40,64}")
PREFIX_SHAPE = re.compile(rf"[0-9a-f]{{{PREFIX_LENGTH}}}")


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """The user's tokens that still work, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by(
        "-created", "-digest"
    )


def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new token for ``user``: the stored row and the token itself, which is not kept.

    The user's expired tokens go; past ``DESK_API_TOKENS_PER_USER`` live ones, the oldest go
    too, so an integration that asks for a token on every run cannot pile them up.
    """
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    keep = settings.DESK_API_TOKENS_PER_USER - 1
    surplus = list(api_tokens_of(user).values_list("digest", flat=True)[keep:])
    if surplus:
        AuthToken.objects.filter(digest__in=surplus).delete()
    return AuthToken.objects.create(
        user=user, expiry=dt.timedelta(days=settings.DESK_API_TOKEN_DAYS)
    )


def api_token_revoke(*, user: User, prefix: str) -> bool:
    """Revoke the user's token with this prefix; False when the user has none such."""
    if not PREFIX_SHAPE.fullmatch(prefix):
        return False
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=prefix).delete()
    return deleted > 0


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of the user; the number revoked."""
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    return deleted


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <token>``, knox's scheme, with one query per request.

    Anything that cannot be a token (another alphabet, bytes that are not ASCII, a NUL) is
    refused before the database sees it; an expired token is refused and removed.
    """

    def authenticate_credentials(self, token: bytes):
        refusal = AuthenticationFailed(_("Invalid token."))
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            raise refusal from None
        if not TOKEN_SHAPE.fullmatch(text):
            raise refusal
        digest = hash_token(text)
        candidates = AuthToken.objects.filter(token_key=text[:PREFIX_LENGTH]).select_related("user")
        for candidate in candidates:
            if not compare_digest(digest, candidate.digest):
                continue
            if candidate.expiry is None or candidate.expiry <= timezone.now():
                candidate.delete()
                raise AuthenticationFailed(_("The token has expired."))
            return self.validate_user(candidate)
        raise refusal
