"""The personal iCalendar feed: one all-day event per item I am accountable for.

SUMMARY says only the kind of item and the case reference (no names, no
titles), so a calendar shared with a colleague or synced to a phone leaks no
case content; the event links back to the app."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from accountability.registry import CalendarEvent, DueItem, label_of


def calendar_feed(*, items: list[DueItem], owner_id: str, events: list[CalendarEvent] | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//JoinedUp//Reminders//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "JoinedUp: my due items")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for item in items:
        event = Event()
        label = label_of(item.subject_type).capitalize()
        url = f"{settings.SITE_URL}{item.link}"
        event.add("uid", f"{item.subject_type}-{item.subject_id}@joinedup")
        event.add("summary", f"{label} due: {item.case_reference}")
        event.add("dtstart", item.due_date)
        event.add("dtend", item.due_date + datetime.timedelta(days=1))
        event.add("dtstamp", stamp)
        event.add("url", url)
        event.add("description", f"Open in JoinedUp: {url}")
        cal.add_component(event)
    for timed in events or []:
        event = Event()
        url = f"{settings.SITE_URL}{timed.link}"
        event.add("uid", timed.uid)
        event.add("summary", timed.summary)
        event.add("dtstart", timed.starts_at)
        event.add("dtend", timed.ends_at)
        event.add("dtstamp", stamp)
        event.add("sequence", timed.sequence)
        event.add("status", "CANCELLED" if timed.cancelled else "CONFIRMED")
        event.add("url", url)
        event.add("description", f"Open in JoinedUp: {url}")
        cal.add_component(event)
    return cal.to_ical()
