"""The outbox: notifications are rows written with the change that causes them, and sent
after commit by the worker. A broker outage delays them; it never loses or blocks them.

This module writes the rows; ``notifications.messages`` says what they say,
``notifications.publisher`` wakes the worker after commit and ``notifications.sending`` sends
them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation

from complaints.clock import BusinessCalendar, calendar_for_estate
from complaints.models import Complaint, Incident, Severity
from complaints.services.escalations import staff_at_level, staff_at_levels
from notifications.models import Notification
from notifications.publisher import dispatch_on_commit
from notifications.quiet import resident_send_time
from notifications.sending import one_line


def _staff_language(user: User) -> str:
    member = getattr(user, "staff_member", None)
    return member.language if member else settings.LANGUAGE_CODE


class Outbox:
    """Collects the messages of one transaction and writes them in one insert.

    Staff lists and calendars are looked up once per estate, so a sweep that escalates
    thousands of complaints does not ask the same questions thousands of times.
    """

    def __init__(
        self,
        *,
        calendars: dict[int, BusinessCalendar] | None = None,
        staff: dict[tuple[int, int], list] | None = None,
    ) -> None:
        """``calendars``: estate id → calendar, and ``staff``: (estate id, level) → people,
        for what the caller has read already."""
        self.rows: list[Notification] = []
        self._staff: dict[tuple[int, int], list] = dict(staff or {})
        self._calendars: dict[int, BusinessCalendar] = dict(calendars or {})

    def staff(self, *, estate_id: int, level: int) -> list:
        key = (estate_id, level)
        if key not in self._staff:
            self._staff[key] = staff_at_level(estate_id=estate_id, level=level)
        return self._staff[key]

    def staff_read(self, *, pairs: set[tuple[int, int]]) -> None:
        """Read the people of every (estate id, level) of ``pairs`` at once, for a batch
        that will ask for each of them."""
        self._staff.update(staff_at_levels(pairs=pairs - self._staff.keys()))

    def staff_not_before(self, *, estate, urgent: bool, now: dt.datetime) -> dt.datetime:
        """Urgent alerts go at once; others wait for the estate's opening hours."""
        if urgent:
            return now
        if estate.pk not in self._calendars:
            self._calendars[estate.pk] = calendar_for_estate(estate)
        return self._calendars[estate.pk].next_opening(now).astimezone(dt.UTC)

    def to_staff(
        self,
        *,
        complaint: Complaint | None = None,
        incident: Incident | None = None,
        users,
        kind,
        key,
        subject,
        body,
        now,
        at_once: bool = False,
    ) -> None:
        """One message per person, in their language, about a complaint or an incident.
        ``subject``/``body`` are callables run with that language active; ``key`` makes a
        repeated message a no-op. ``at_once``: not held for opening hours (someone is to act
        on it now)."""
        about = complaint if complaint is not None else incident
        assert about is not None  # a staff message is about one or the other
        urgent = at_once or (
            complaint.severity == Severity.URGENT
            if complaint is not None
            else about.category.default_severity == Severity.URGENT
        )
        not_before = self.staff_not_before(estate=about.estate, urgent=urgent, now=now)
        # The words depend on the language only: written once for each language among them.
        texts: dict[str, tuple[str, str]] = {}
        for user in users:
            language = _staff_language(user)
            if language not in texts:
                with translation.override(language):
                    texts[language] = (one_line(subject()), str(body()))
            self.rows.append(
                Notification(
                    complaint=complaint,
                    incident=incident,
                    recipient=user,
                    audience=Notification.Audience.STAFF,
                    channel=Notification.Channel.EMAIL,
                    address=user.email or "",
                    language=language,
                    kind=kind,
                    subject=texts[language][0],
                    body=texts[language][1],
                    dedupe_key=f"{key}:u{user.pk}"[:120],
                    not_before=not_before,
                )
            )

    def to_staff_by_sms(self, *, complaint, users, kind, key, body, params, now) -> None:
        """A text message to each person with a phone on record, in their language."""
        for user in users:
            member = getattr(user, "staff_member", None)
            if member is None or not member.phone:
                continue
            language = _staff_language(user)
            with translation.override(language):
                text = str(body())
            self.rows.append(
                Notification(
                    complaint=complaint,
                    recipient=user,
                    audience=Notification.Audience.STAFF,
                    channel=Notification.Channel.SMS,
                    address=member.phone,
                    language=language,
                    kind=kind,
                    subject=one_line(text, 100),
                    body=text,
                    params=params,
                    urgent=True,
                    dedupe_key=f"{key}:sms:u{user.pk}"[:120],
                    not_before=now,
                )
            )

    def to_resident(self, *, complaint, kind, key, body, params, now, urgent: bool = False) -> None:
        """A text message to the complaint's contact phone, in the resident's language:
        ``body`` is a callable run with that language active, ``params`` the template's
        variables (``notifications.sms.TEMPLATE_VARIABLES``). Never in quiet hours; beyond the
        day's limit unless ``urgent`` or the complaint is."""
        resident = complaint.resident
        phone = complaint.contact_phone or (resident.phone if resident else "")
        if not phone:
            return
        urgent = urgent or complaint.severity == Severity.URGENT
        language = resident.language if resident else "zh-hans"
        with translation.override(language):
            text = str(body())
            values = {name: str(value) for name, value in params().items()}
        not_before = resident_send_time(
            estate=complaint.estate, address=phone, now=now, urgent=urgent, pending=self.rows
        )
        self.text_to_resident(
            complaint=complaint,
            address=phone,
            language=language,
            kind=kind,
            key=key,
            text=text,
            params=values,
            urgent=urgent,
            not_before=not_before,
        )

    def text_to_resident(
        self,
        *,
        address: str,
        language: str,
        kind: str,
        key: str,
        text: str,
        params: dict[str, str],
        urgent: bool,
        not_before: dt.datetime,
        complaint: Complaint | None = None,
        incident=None,
    ) -> None:
        """One resident's text message, its wording and time already settled."""
        self.rows.append(
            Notification(
                complaint=complaint,
                incident=incident,
                audience=Notification.Audience.RESIDENT,
                channel=Notification.Channel.SMS,
                address=address,
                language=language,
                kind=kind,
                subject=one_line(text, 100),
                body=text,
                params=params,
                urgent=urgent,
                dedupe_key=key[:120],
                not_before=not_before,
            )
        )

    def save(self) -> int:
        if not self.rows:
            return 0
        Notification.objects.bulk_create(self.rows, ignore_conflicts=True, batch_size=1000)
        count, self.rows = len(self.rows), []
        dispatch_on_commit()
        return count
