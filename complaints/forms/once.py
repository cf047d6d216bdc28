"""A form sent twice writes once: it carries a one-time token, signed for its user and door,
whose key is written with what the form wrote (``complaints.services.submissions``)."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.http import QueryDict

from complaints.models import SubmissionDoor
from complaints.services.submissions import Once, form_token_issue, form_token_read


class OneTimeTokenForm(forms.Form):
    """A form whose ``submission`` field holds its one-time token for ``door``."""

    door: ClassVar[str] = SubmissionDoor.FORM
    # The form's one-time token: sent twice (a double click, a second tab), it writes once.
    submission = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, user: User | AnonymousUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial["submission"] = form_token_issue(user=user, door=self.door)

    def clean_submission(self) -> str:
        """The token as sent, if it is this user's and fresh; "" when the form came without
        one (a client of its own, which is not protected from sending twice)."""
        token = self.cleaned_data.get("submission") or ""
        if not token:
            return ""
        try:
            form_token_read(user=self.user, token=token, door=self.door)
        except ValidationError:
            # Sent back with a fresh token: saving again writes once.
            data = cast("QueryDict | dict[str, Any]", self.data).copy()
            data["submission"] = form_token_issue(user=self.user, door=self.door)
            self.data = data
            raise
        return token

    def once(self) -> Once | None:
        """What makes a second sending of this form the same submission: its token's key,
        read before the rest of the form is (None without a good token)."""
        token = self.data.get("submission") if self.is_bound else None
        if not token or not isinstance(token, str):
            return None
        try:
            key = form_token_read(user=self.user, token=token, door=self.door)
        except ValidationError:
            return None
        return Once(door=self.door, key=key)
