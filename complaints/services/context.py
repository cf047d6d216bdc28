"""One workflow action under way, as its handler sees it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from complaints.models import Complaint
from staff.models import Department

# What a handler returns: the timeline note and data of the event it causes.
Outcome = tuple[str, dict]


class Context:
    """One action under way: ``data`` is its body already held to the action's inputs."""

    def __init__(
        self, *, complaint: Complaint, actor: User | None, data: dict, now: dt.datetime
    ) -> None:
        """``actor`` is None for the resident's own answers (the rating page)."""
        self.complaint = complaint
        self.actor = actor
        self.data = data
        self.now = now

    def text(self, field: str) -> str:
        return self.data.get(field) or ""

    def future(self, field: str) -> dt.datetime | None:
        """The time given for ``field``, which must be still to come when the action runs."""
        value = self.data.get(field)
        if value is not None and value <= self.now:
            raise ValidationError({field: _("Choose a time in the future.")})
        return value

    def department(self, field: str = "department") -> Department:
        code = self.text(field)
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise ValidationError(
                {field: _("No department with the code “%(code)s”.") % {"code": code}}
            )
        return department
