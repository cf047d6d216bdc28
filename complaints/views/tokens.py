"""/accounts/tokens/: the signed-in user's API tokens, each revocable (``staff.tokens``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from staff.tokens import api_token_revoke, api_tokens_of


@require_GET
@login_required
def token_list(request):
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": list(api_tokens_of(request.user)), "days": settings.DESK_API_TOKEN_DAYS},
    )


@require_POST
@login_required
def token_revoke(request, prefix: str):
    if not api_token_revoke(user=request.user, prefix=prefix):
        raise Http404
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": prefix})
    return redirect("accounts:tokens")
