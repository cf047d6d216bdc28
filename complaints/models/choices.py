"""The enumerations of the complaint domain; their values are the API's words."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    """Labelled as what a complaint in the stage is now (a status: 待受理, 处理中 …), as lists,
    badges and filters show it; the timeline names the procedure's stages (display.STAGE_NAMES)."""

    INTAKE = "intake", pgettext_lazy("complaint status", "intake")
    CLARIFICATION = "clarification", pgettext_lazy("complaint status", "clarification")
    RESOLUTION = "resolution", pgettext_lazy("complaint status", "resolution")
    FOLLOW_UP = "follow_up", pgettext_lazy("complaint status", "follow-up")
    CLOSED = "closed", pgettext_lazy("complaint status", "closed")


class Channel(models.TextChoices):
    PHONE = "phone", _("phone")
    WALK_IN = "walk_in", _("walk-in")
    FRONT_DESK = "front_desk", _("front desk")
    LETTER = "letter", _("letter or mailbox")
    ONLINE = "online", _("online")
    OTHER = "other", _("other")


class Severity(models.TextChoices):
    NORMAL = "normal", _("normal")
    MAJOR = "major", _("major")
    URGENT = "urgent", _("urgent")


class DesiredOutcome(models.TextChoices):
    EXPLANATION = "explanation", _("explanation")
    REPAIR = "repair", _("repair")
    COMPENSATION = "compensation", _("compensation")
    APOLOGY = "apology", _("apology")
    OTHER = "other", _("other")


class Mindset(models.TextChoices):
    """What the resident mainly wants from complaining: the procedure's three mindsets."""

    VENT = "vent", _("to be heard")
    RESPECT = "respect", _("to be respected")
    COMPENSATION = "compensation", _("to be compensated")


class Validity(models.TextChoices):
    PENDING = "pending", _("pending")
    VALID = "valid", _("valid")
    INVALID = "invalid", _("invalid")
    ASSISTED = "assisted", _("assisted")


class Liability(models.TextChoices):
    OURS = "ours", _("ours")
    DEVELOPER = "developer", _("developer (warranty)")
    RESIDENT = "resident", _("resident")
    THIRD_PARTY = "third_party", _("third party")
    UTILITY = "utility", _("utility")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    FAIRLY = "fairly", _("fairly satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")
    UNREACHABLE = "unreachable", _("unreachable")


class SatisfactionSource(models.TextChoices):
    STAFF = "staff", _("recorded by staff")
    RESIDENT = "resident", _("the resident's own rating")


# What a resident may answer on the rating page: "unreachable" is only staff's to record.
RESIDENT_RATINGS = (Satisfaction.SATISFIED, Satisfaction.FAIRLY, Satisfaction.UNSATISFIED)


class EscalationReason(models.TextChoices):
    UNSATISFIED = "unsatisfied", _("resident unsatisfied")
    REFUSED_TIME = "refused_time", _("resident refused the proposed time")
    DEADLINE_MISSED = "deadline_missed", _("deadline missed")
    REPEAT = "repeat", _("repeat complaint")
    REOPENED = "reopened", _("reopened")
    OTHER = "other", _("other")


class DeadlineKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("acknowledge")
    FIRST_CALLBACK = "first_callback", _("first callback")
    AGREED_CALLBACK = "agreed_callback", _("agreed callback")
    RESOLUTION = "resolution", _("resolution")
    FOLLOW_UP = "follow_up", _("follow-up visit")
    TAKE_OVER = "take_over", _("take-over")


class DeadlineState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("deadline state", "pending")
    MET = "met", _("met")
    MISSED = "missed", _("missed")
    PAUSED = "paused", _("paused")
    CANCELLED = "cancelled", _("cancelled")


class Clock(models.TextChoices):
    CALENDAR = "calendar", _("around the clock")
    BUSINESS = "business", _("business time")


MAX_ESCALATION_LEVEL = 3
