"""The kinds of notice meetings tells (decision 0086), registered in MeetingsConfig.ready(). They
are told of the invitee's meeting view (the item an invitation makes); a change's or a
cancellation's e-mail says only that a meeting on the case moved or was cancelled, and the
meeting's date (`due_date`: the day the meeting is now on). The invitation itself is e-mailed as
iTIP by meetings, so its notice is in-app only."""

from __future__ import annotations

from datetime import date

from accountability.registry import NoticeKind

INVITED = "invited"
MEETING_CHANGED = "meeting_changed"
MEETING_CANCELLED = "meeting_cancelled"


def _changed_email(reference: str, due_date: date, item: str) -> tuple[str, str]:
    return (
        f"JoinedUp: a meeting on {reference} has been changed",
        f"A meeting you are invited to on case {reference} has a new time or place (now on {due_date:%d %B %Y}).",
    )


def _cancelled_email(reference: str, due_date: date, item: str) -> tuple[str, str]:
    return (
        f"JoinedUp: a meeting on {reference} has been cancelled",
        f"A meeting you were invited to on case {reference} (on {due_date:%d %B %Y}) has been cancelled.",
    )


NOTICE_KINDS = [
    NoticeKind(
        code=INVITED,
        label="Invited to a meeting",
        phrase="is asked of you for a meeting you are invited to",
        in_app_only=True,  # the iTIP e-mail is the invitation
    ),
    # Told to every invitee, whether or not their view is still owed.
    NoticeKind(
        code=MEETING_CHANGED,
        label="A meeting you are invited to was changed",
        phrase="is for a meeting whose time or place has changed",
        email=_changed_email,
        ends=True,
    ),
    NoticeKind(
        code=MEETING_CANCELLED,
        label="A meeting you were invited to was cancelled",
        phrase="is no longer asked: the meeting has been cancelled",
        email=_cancelled_email,
        ends=True,
    ),
]
