"""Changes to staff records made from the desk itself (the admin edits the rest)."""

from __future__ import annotations

from django.contrib.auth.models import User

from staff.models import StaffMember


def staff_language_set(*, user: User, language: str) -> None:
    """Remember the language the staff member chose; a user without a staff record has none."""
    StaffMember.objects.filter(user=user).exclude(language=language).update(language=language)
