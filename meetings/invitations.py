"""iTIP invitations (RFC 5546): METHOD:REQUEST for an invitation or a change, METHOD:CANCEL for a
cancellation or an uninvited invitee, SEQUENCE rising with each change, ORGANIZER the chair,
ATTENDEE each invitee. Built from identifiers, times and e-mail addresses only: no kind of
meeting, place, names or anything said (DESIGN invariant 7); the event links back to the app.

Sending: the outbox of InvitationMail rows (written by meetings.services in the transaction of
the change) is claimed row by row (pending -> sending) and e-mailed by the worker, so nothing a
request does waits on the broker or the mail server, and nothing is sent twice.

Floor 6.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from meetings.due import meeting_uid
from meetings.models import InvitationMail, MailMethod, MailStatus, Meeting, MeetingStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def _address(email: str, *, role: str | None = None) -> vCalAddress:
    value = vCalAddress(f"mailto:{email}")
    if role:
        value.params["ROLE"] = role
        value.params["PARTSTAT"] = "NEEDS-ACTION"
        value.params["RSVP"] = "TRUE"
    return value


def invitation_ics(*, meeting: Meeting, method: str, attendee_emails: list[str], sequence: int | None = None) -> bytes:
    """One VEVENT for the meeting. `attendee_emails`: the invitees the message is for (all of them
    for the download, the one recipient for an e-mail)."""
    cal = Calendar()
    cal.add("prodid", "-//JoinedUp//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    url = f"{settings.SITE_URL}/meetings/{meeting.id}/"
    event.add("uid", meeting_uid(meeting.id))
    event.add("sequence", meeting.sequence if sequence is None else sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"JoinedUp meeting: {meeting.case.reference}")
    event.add("description", f"Details, and your view before the meeting, in JoinedUp: {url}")
    event.add("url", url)
    cancelled = method == MailMethod.CANCEL or meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    chair_email = meeting.chair.user.email or settings.DEFAULT_FROM_EMAIL
    event.add("organizer", _address(chair_email))
    for email in attendee_emails:
        event.add("attendee", _address(email, role="REQ-PARTICIPANT"))
    cal.add_component(event)
    return cal.to_ical()


def _mail(row: InvitationMail, email: str) -> EmailMultiAlternatives:
    meeting = row.invitee.meeting
    context = {"meeting": meeting, "method": row.method, "link": f"{settings.SITE_URL}/meetings/{meeting.id}/"}
    subject = render_to_string("emails/meeting-invitation-subject.txt", context).strip()
    body = render_to_string("emails/meeting-invitation-body.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email])
    ics = invitation_ics(meeting=meeting, method=row.method, attendee_emails=[email], sequence=row.sequence)
    # text/calendar with the method as a parameter: calendar clients treat it as an iTIP message.
    message.attach_alternative(ics.decode(), f"text/calendar; method={row.method}; charset=utf-8")
    return message


def invitations_send(*, limit: int = 500) -> dict[str, int]:
    """E-mail what waits in the outbox, oldest first. A row superseded by a later SEQUENCE for the
    same invitee is skipped (the later message carries the change). Safe to run twice."""
    result = {"sent": 0, "skipped": 0, "failed": 0}
    rows = list(
        InvitationMail.objects.filter(status=MailStatus.PENDING)
        .select_related("invitee__professional__user", "invitee__meeting__case", "invitee__meeting__chair__user")
        .order_by("created_at", "id")[:limit]
    )
    latest: dict[Any, int] = {}
    for row in rows:
        latest[row.invitee_id] = max(latest.get(row.invitee_id, -1), row.sequence)
    for row in rows:
        if not InvitationMail.objects.filter(pk=row.pk, status=MailStatus.PENDING).update(
            status=MailStatus.SENDING, attempts=F("attempts") + 1
        ):
            continue  # another worker has it
        email = row.invitee.professional.user.email
        if row.sequence < latest[row.invitee_id] or not email or not row.invitee.professional.is_active:
            InvitationMail.objects.filter(pk=row.pk).update(status=MailStatus.SKIPPED)
            result["skipped"] += 1
            continue
        try:
            _mail(row, email).send()
        except Exception as exc:  # any transport error: retried by the next run, then shown as failed
            failed = row.attempts + 1 >= MAX_ATTEMPTS
            InvitationMail.objects.filter(pk=row.pk).update(
                status=MailStatus.FAILED if failed else MailStatus.PENDING, last_error=f"{type(exc).__name__}"[:300]
            )
            logger.warning("meeting invitation %s failed: %s", row.pk, type(exc).__name__)
            result["failed"] += 1
            continue
        InvitationMail.objects.filter(pk=row.pk).update(status=MailStatus.SENT, sent_at=timezone.now())
        result["sent"] += 1
    return result
