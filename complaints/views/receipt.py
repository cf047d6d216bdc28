"""The printed receipt for a walk-in: what was received, the reference, the desk's promise of a
callback, and a QR code that opens the resident's status page."""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.models import DeadlineKind, DeadlineState
from complaints.selectors import complaint_get
from complaints.status_links import status_url

# Deadlines that end in a call to the resident, the earliest of which the receipt promises.
CALL_KINDS = (DeadlineKind.ACKNOWLEDGE, DeadlineKind.FIRST_CALLBACK, DeadlineKind.AGREED_CALLBACK)


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code: one path, no script and no style, sized by the
    stylesheet (a view box, no fixed size). segno writes the markup and escapes the title."""
    code = segno.make(url, error="m")
    return mark_safe(
        code.svg_inline(border=2, svgclass="desk-qr", lineclass=None, omitsize=True, title=url)
    )


@require_GET
@login_required
def receipt(request, reference: str):
    complaint = complaint_get(user=request.user, reference=reference)
    call_by = (
        complaint.deadlines.filter(kind__in=CALL_KINDS, state=DeadlineState.PENDING)
        .order_by("due_at", "id")
        .values_list("due_at", flat=True)
        .first()
    )
    url = status_url(complaint)
    context = {
        "complaint": complaint,
        "call_by": call_by,
        "status_url": url,
        "qr": qr_svg(url),
        "qr_label": _("Scan to follow your complaint"),
    }
    return render(request, "complaints/receipt.html", context)
