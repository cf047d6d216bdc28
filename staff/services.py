"""Changes to staff records made from the desk itself (the admin edits the rest)."""

from __future__ import annotations

from staff.models import StaffMember


def staff_language_set(*, user, language: str) -> None:
    """Remember the language the staff member chose; a user without a staff record has none."""
    StaffMember.objects.filter(user=user).exclude(language=language).update(language=language)
