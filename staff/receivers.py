"""What a change to a user account does to the rest of it: the one place, whatever made the
change (the admin, the password forms, ``set_password`` and ``save`` in a shell or a command)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from staff.tokens import api_tokens_revoke_all

ACCOUNT_FIELDS = {"password", "is_active"}


def revoke_api_tokens_on_new_password_or_deactivation(
    sender, instance, created: bool, update_fields, raw: bool = False, **kwargs
) -> None:
    """A new password, an unusable one or a deactivated account ends every API token.

    A new password is Django's own notion of one: ``set_password`` records the raw password
    until the save (``_password``), which a hash upgrade at sign-in does not.
    """
    if created or raw:
        return
    if update_fields is not None and not ACCOUNT_FIELDS & set(update_fields):
        return
    new_password = getattr(instance, "_password", None) is not None
    if new_password or not instance.is_active or not instance.has_usable_password():
        api_tokens_revoke_all(user=instance)


def connect() -> None:
    post_save.connect(
        revoke_api_tokens_on_new_password_or_deactivation,
        sender=get_user_model(),
        dispatch_uid="staff-revoke-api-tokens",
    )
