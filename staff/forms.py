"""The sign-in forms of the desk and the admin: Django's, with the username held to its length.

Django's sign-in form sets the username's length after the field is made, which draws the
``maxlength`` attribute but adds no check; a longer name then reaches the sign-in throttle,
which records every failed name in a column of 255 characters, and the database refuses it
(a server error, before anyone has signed in).
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


def _hold_username_to_its_length(form: AuthenticationForm) -> None:
    username = form.fields["username"]
    # A UsernameField (a CharField), its length set by AuthenticationForm.__init__.
    assert isinstance(username, forms.CharField) and isinstance(username.max_length, int)
    username.validators.append(MaxLengthValidator(username.max_length))


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _hold_username_to_its_length(self)


class AdminSignInForm(AdminAuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _hold_username_to_its_length(self)
