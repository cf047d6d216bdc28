"""/notifications/: what the outbox sent the signed-in user; reading them clears the badge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notifications.selectors import notifications_of
from notifications.sending import notifications_mark_read

SHOWN = 50


@require_http_methods(["GET", "POST"])
@login_required
def inbox(request):
    if request.method == "POST":
        count = notifications_mark_read(user=request.user)
        messages.success(request, _("%(count)d messages marked read.") % {"count": count})
        return redirect("notifications:inbox")
    rows = list(notifications_of(request.user)[:SHOWN])
    return render(
        request,
        "notifications/inbox.html",
        {"rows": rows, "unread": sum(1 for row in rows if row.read_at is None)},
    )
