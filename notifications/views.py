"""/notifications/: what the outbox sent the signed-in user; reading them clears the badge.
/sms/replies/<secret>/: residents' replies to text messages, pushed by the provider."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from notifications.selectors import notifications_of
from notifications.sending import notifications_mark_read
from notifications.sms.replies import ANSWERS, MalformedReplies, replies_parse, reply_stops
from residents import services as residents_services

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


@csrf_exempt
@require_POST
def sms_replies(request, secret: str):
    """Residents' replies, pushed by the SMS provider; ``TD`` or ``退订`` stops the messages.
    The secret in the address is the only credential: without one set, there is no address."""
    expected = settings.DESK_SMS_REPLY_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    try:
        provider, replies = replies_parse(request.body)
    except MalformedReplies as error:
        return JsonResponse({"error": str(error)}, status=400)
    now = timezone.now()
    for reply in replies:
        if reply_stops(reply.text):
            residents_services.messages_stop(phone=reply.phone, at=now, via="reply")
    return JsonResponse(ANSWERS[provider], json_dumps_params={"ensure_ascii": False})
