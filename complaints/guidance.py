"""The procedure's key points (要点) for each stage, shown where the work of the stage is done.

They come from the complaint-handling procedure staff are trained on (SPEC §2); the intake form
and every action form on the complaint page show the points of the stage the complaint is in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from complaints.models import Stage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KEY_POINTS: dict[str, tuple[StrOrPromise, ...]] = {
    Stage.INTAKE: (
        _("Do not interrupt: let the resident finish."),
        _("Do not make the resident tell it twice."),
        _("Record it in detail, so that it can be looked up later."),
    ),
    Stage.CLARIFICATION: (
        _("Settle the feelings before the facts."),
        _("See it from the resident's side."),
        _("Do not lead with our own reasons."),
        _("Do not pass it on before it is understood."),
    ),
    Stage.RESOLUTION: (
        _("Agree a time with the resident, and call back by it."),
        _("Where another department must act, say so and coordinate with it."),
    ),
    Stage.FOLLOW_UP: (
        _("Record the follow-up visit: what was done and how satisfied the resident is."),
        _("Classify and summarise it for the periodic review."),
    ),
}


def key_points(stage: str) -> tuple[StrOrPromise, ...]:
    """The points of ``stage``; none for a closed complaint."""
    return KEY_POINTS.get(stage, ())
