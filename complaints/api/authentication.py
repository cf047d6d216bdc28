"""Token authentication that reads the user's access (roles, staff record, estates) with the
token: one query where DRF's class and the first authorisation check make two."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import authentication

from staff.roles import access_columns, access_remember


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        Token, User = self.get_model(), get_user_model()
        token_fields = [field.attname for field in Token._meta.concrete_fields]
        user_fields = [field.attname for field in User._meta.concrete_fields]
        rows = list(
            Token.objects.filter(key=key).values_list(
                *token_fields,
                *(f"user__{name}" for name in user_fields),
                *access_columns("user__"),
            )
        )
        if not rows:
            # DRF's own refusal, in its words (and translations).
            return super().authenticate_credentials(key)
        token_end, user_end = len(token_fields), len(token_fields) + len(user_fields)
        token = Token.from_db(Token.objects.db, token_fields, rows[0][:token_end])
        user = User.from_db(User.objects.db, user_fields, rows[0][token_end:user_end])
        if not user.is_active:
            return super().authenticate_credentials(key)
        token.user = user
        access_remember(user, [row[user_end:] for row in rows])
        return (user, token)
