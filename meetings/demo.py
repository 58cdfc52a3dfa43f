"""Demo meetings for `manage.py seed_demo`: an initial child protection conference for the Carter
family in two days, chaired by Tom, notes by Nadia, the school, housing and the team lead invited,
the family invited; Jess and Nadia have given their views (sealed until Tom opens it).

Floor 6. Built through the services, as a user would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from agencies.models import Professional
from cases.models import Case
from meetings import services


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


def seed_meetings(staff: dict[str, Professional]) -> None:
    tom = staff["tom"]
    case = Case.objects.filter(lead_professional=tom).order_by("opened_at").first()
    if case is None:
        return
    meeting = services.meeting_schedule(
        case=case,
        kind="initial_conference",
        starts_at=_at(2, 10),
        ends_at=_at(2, 12),
        location="Riverside Civic Centre, meeting room 2",
        chair=tom,
        note_taker=staff["nadia"],
        invitees=[staff["jess"], staff["leon"], staff["grace"]],
        family_invited=True,
        views_due_at=_at(1, 17),
        actor=tom.user,
    )
    services.view_give(
        meeting=meeting,
        actor=staff["jess"].user,
        rating=4,
        worries="Leo has missed six days this half term and arrives hungry on Mondays.",
        working_well="Leo is settled in class and talks warmly about his mum.",
        next_steps="Breakfast club place and a weekly attendance check with the family.",
    )
    services.view_give(
        meeting=meeting,
        actor=staff["nadia"].user,
        rating=6,
        worries="Jade is exhausted and anxious about the rent arrears.",
        working_well="Leo's development checks are on track; Jade keeps every appointment.",
        next_steps="Benefits check and support with sleep routines.",
    )
