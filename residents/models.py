import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from residents.names import name_initials, validate_visible_name
from residents.phones import normalise_phone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


def _visible_name(name: str) -> None:
    """A row's required ``name``, refused when nothing in it is visible (the admin's check)."""
    try:
        validate_visible_name(name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None


class Estate(models.Model):
    code = models.CharField(
        _("code"), max_length=8, unique=True, help_text=_("Short code used in references, e.g. HY.")
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    # Messages to residents wait outside this window (it may span midnight).
    quiet_from = models.TimeField(_("quiet hours from"), default=dt.time(21, 0))
    quiet_until = models.TimeField(_("quiet hours until"), default=dt.time(8, 0))
    # The company's public holidays and make-up working days; the estate's own calendar days
    # override it date by date.
    holiday_calendar = models.ForeignKey(
        "HolidayCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="estates",
        verbose_name=_("holiday calendar"),
        help_text=_(
            "Shared public holidays and make-up working days. The estate's own calendar days "
            "below override it on their dates."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z0-9]{1,8}$"), name="estate_code_upper"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        _visible_name(self.name)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate")
    )
    name = models.CharField(
        _("name"), max_length=50, help_text=_("As residents say it, e.g. 3号楼.")
    )

    class Meta:
        ordering = ["estate", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="building_unique_per_estate")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        _visible_name(self.name)


class Unit(models.Model):
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    entrance = models.CharField(_("entrance"), max_length=20, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=20)
    handover_date = models.DateField(
        _("handover date"), null=True, blank=True, help_text=_("Starts the warranty periods.")
    )

    class Meta:
        ordering = ["building", "entrance", "room"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "room"], name="unit_unique_per_building"
            )
        ]
        # The look-up's readings ask for a room in any case (``801``, ``B1201``) across the
        # buildings the caller may mean.
        indexes = [models.Index(Upper("room"), name="unit_room_upper")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Like ``3号楼2单元-1201``, the way the front desk reads a unit out."""
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{self.building.name}{entrance}-{self.room}"


class StopVia(models.TextChoices):
    REPLY = "reply", _("a reply TD / 退订")
    LINK = "link", _("the link in a message")
    DESK = "desk", _("at the desk")


class Resident(models.Model):
    class Kind(models.TextChoices):
        OWNER = "owner", _("owner")
        TENANT = "tenant", _("tenant")
        FAMILY = "family", _("family member")
        OCCUPANT = "occupant", _("other occupant")

    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(
        _("phone"), max_length=20, db_index=True, help_text=_("Digits only, with country code.")
    )
    # ``cxm`` for 陈小明: the desk types the initials of a name it hears (``name_initials``).
    initials = models.CharField(_("initials"), max_length=100, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OWNER)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hans", "中文"), ("en", "English")],
        default="zh-hans",
    )
    # Text messages stopped (a reply of TD / 退订, the link in a message, or at the desk): only
    # the receipt of a new complaint still goes.
    messages_stopped_at = models.DateTimeField(_("messages stopped at"), null=True, blank=True)
    messages_stopped_via = models.CharField(
        _("messages stopped by"), max_length=10, choices=StopVia.choices, blank=True
    )
    units = models.ManyToManyField(
        Unit, through="Residency", related_name="residents", verbose_name=_("units")
    )
    # Not a column: the units of the reader's estates, set by the pages that list residents.
    visible_units: list[Unit]

    class Meta:
        ordering = ["name"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        # The look-up's ``cxm``: initials that start so (a prefix, in the database's collation).
        indexes = [
            models.Index(
                fields=["initials"],
                name="resident_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.phone = normalise_phone(self.phone)
        self.initials = name_initials(self.name)
        if kwargs.get("update_fields") and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "initials"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        _visible_name(self.name)


class Residency(models.Model):
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="residencies", verbose_name=_("resident")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="residencies", verbose_name=_("unit")
    )
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="residency_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["unit", "resident"])]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.unit}"


class OpeningWindow(models.Model):
    """One span of opening hours on a weekday; a day may have several (a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, related_name="opening_windows", verbose_name=_("estate")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["estate", "weekday", "opens"]
        verbose_name = _("opening window")
        verbose_name_plural = _("opening windows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="window_closes_after_opens"
            ),
            models.UniqueConstraint(
                fields=["estate", "weekday", "opens"], name="window_unique_start"
            ),
        ]

    # Set by a form that checks the day's windows together (the estate's inline in the admin):
    # windows saved before may be moving in the same save, so only the form knows the day.
    checked_with_its_day = False

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        """Two windows of one day may not share a minute: the clock counts shared hours once,
        so the rows would promise more opening hours than deadlines are counted in."""
        super().clean()
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError(
                {
                    "closes": _(
                        "A window closes after it opens. For hours past midnight, enter two "
                        "windows: one until 23:59 and one from 00:00 the next day."
                    )
                }
            )
        if self.checked_with_its_day or None in (self.estate_id, self.opens, self.closes):
            return
        same_day = OpeningWindow.objects.filter(estate_id=self.estate_id, weekday=self.weekday)
        for other in same_day.exclude(pk=self.pk):
            if other.opens < self.closes and self.opens < other.closes:
                raise overlap_error(
                    self.weekday, (other.opens, other.closes), (self.opens, self.closes)
                )


def overlap_error(
    weekday: int, first: tuple[dt.time, dt.time], second: tuple[dt.time, dt.time]
) -> ValidationError:
    """The refusal of two windows of a day that overlap, naming both."""
    return ValidationError(
        _(
            "Opening windows on %(weekday)s overlap: %(first)s and %(second)s. Join them into "
            "one window, or let one close before the other opens."
        ),
        code="overlapping_windows",
        params={
            "weekday": OpeningWindow.Weekday(weekday).label,
            "first": f"{first[0]:%H:%M}–{first[1]:%H:%M}",
            "second": f"{second[0]:%H:%M}–{second[1]:%H:%M}",
        },
    )


def first_overlap(
    windows: list[tuple[int, dt.time, dt.time]],
) -> tuple[tuple[int, dt.time, dt.time], tuple[int, dt.time, dt.time]] | None:
    """Two (weekday, opens, closes) windows of one day that share a minute, if any."""
    ordered = sorted(windows)
    for index, later in enumerate(ordered):
        for earlier in ordered[:index]:
            if earlier[0] == later[0] and later[1] < earlier[2]:
                return earlier, later
    return None


class HolidayCalendar(models.Model):
    """Public holidays and make-up working days kept once for every estate that uses them."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("holiday calendar")
        verbose_name_plural = _("holiday calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        _visible_name(self.name)


class CalendarDay(models.Model):
    """A public holiday, or a make-up working day (调休) that opens like a given weekday: of a
    shared holiday calendar, or an estate's own, which wins over its calendar's on that date."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday")
        WORKDAY = "workday", _("make-up working day")

    estate = models.ForeignKey(
        Estate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name=_("estate"),
    )
    calendar = models.ForeignKey(
        HolidayCalendar,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="days",
        verbose_name=_("holiday calendar"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    opens_like = models.PositiveSmallIntegerField(
        _("opens like"),
        choices=OpeningWindow.Weekday.choices,
        default=OpeningWindow.Weekday.MONDAY,
        help_text=_("For a make-up working day: whose opening hours it keeps."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(fields=["estate", "date"], name="calendar_day_unique"),
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique_shared"),
            models.CheckConstraint(
                condition=models.Q(estate__isnull=True, calendar__isnull=False)
                | models.Q(estate__isnull=False, calendar__isnull=True),
                name="calendar_day_of_estate_or_calendar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
