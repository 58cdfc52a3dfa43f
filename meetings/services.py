"""Every write of meetings/: schedule, change and cancel a meeting, give a view, open,
attendance, decisions (with dissent and actions), answers to dissent, close.
Keyword-only, atomic, audited in the same transaction; audit details carry counts
and ids, never what a view, decision or minute says.

Rights are decided here, once (`meeting_may_schedule`, `meeting_may_change`,
`meeting_may_open`, `meeting_may_record`), and asked by pages and API alike. The
case is reached through the gate (cases.selectors.get_case_for: 404 when the
actor may not see it).

Sealed views (DESIGN invariant 10): a view is written here and read only by
meetings.selectors, which return its content to its author alone until the chair
opens the meeting. Opening writes each professional's view as a sharing Record of
its category (through sharing.services.record_write), so from then on the sharing
policy decides who reads it, as for any record.

Floor 6. May use: plans, sharing, cases, accountability, agencies, audit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from accountability.services import notice_queue
from agencies.models import Professional
from agencies.selectors import professional_for
from agencies.validation import (
    DATE_RANGE_MESSAGE,
    LONG_TEXT_MAX,
    NOTE_MAX,
    PLAIN_SUMMARY_MAX,
    date_within_range,
    too_long,
)
from audit.services import audit_record
from cases.models import Case, Person, RoleAssignment
from cases.selectors import CaseAccess, get_case_for
from cases.services import require_case_open
from meetings.models import (
    Action,
    Attendance,
    Decision,
    Dissent,
    InvitationMail,
    Invitee,
    MailMethod,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingView,
    NextMeeting,
)
from meetings.notices import INVITED, MEETING_CANCELLED, MEETING_CHANGED
from meetings.schedule import next_meetings_due
from meetings.selectors import family_member_for
from plans.models import Goal
from plans.services import milestone_add
from sharing.models import Category
from sharing.services import record_write

DISSENT_ANSWER_DAYS = 28
PENDING_VIEW = "meeting_view"  # the due source's subject type (meetings/due.py)


# --- Rights ---------------------------------------------------------------------


def meeting_may_schedule(*, access: CaseAccess) -> bool:
    """Schedule a meeting on the case: whoever manages it (lead professional, team leads)."""
    return access.can_manage


def meeting_may_change(*, access: CaseAccess, meeting: Meeting) -> bool:
    """Change or cancel a scheduled meeting: a case manager or its chair."""
    return access.can_manage or meeting.chair_id == access.professional.id


def meeting_may_open(*, access: CaseAccess, meeting: Meeting) -> bool:
    """Open the meeting (and so reveal the views): its chair, nobody else."""
    return meeting.chair_id == access.professional.id


def meeting_may_record(*, access: CaseAccess, meeting: Meeting) -> bool:
    """Record attendance, decisions, minutes and close: the chair or the note-taker."""
    return access.professional.id in (meeting.chair_id, meeting.note_taker_id)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _locked(meeting: Meeting) -> Meeting:
    """The meeting row, locked for this transaction: giving a view and opening never interleave."""
    return Meeting.objects.select_for_update().select_related("case").get(pk=meeting.pk)


def _team_ids(case: Case) -> set[uuid.UUID]:
    return set(
        RoleAssignment.objects.filter(case=case, ended_on__isnull=True).values_list("professional_id", flat=True)
    )


def _check_on_team(people: Iterable[Professional], team: set[uuid.UUID], errors: dict[str, str]) -> None:
    outside = [p.full_name for p in people if p.pk not in team]
    if outside:
        errors["invitees"] = f"Only the case team can be invited; not on it: {', '.join(sorted(outside))}."


def _local_date(value: datetime) -> date:
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


# --- Scheduling -------------------------------------------------------------------


@dataclass
class Schedule:
    """What a meeting is scheduled with (validated by `_check_schedule`)."""

    starts_at: datetime | None
    ends_at: datetime | None
    location: str
    views_due_at: datetime | None


def _check_schedule(s: Schedule, errors: dict[str, str]) -> None:
    now = timezone.now()
    if s.starts_at is None:
        errors["starts_at"] = "Give the date and time the meeting starts."
    elif s.starts_at < now:
        errors["starts_at"] = "The meeting cannot start in the past."
    if s.ends_at is None:
        errors["ends_at"] = "Give the date and time the meeting ends."
    elif s.starts_at is not None and s.ends_at <= s.starts_at:
        errors["ends_at"] = "The meeting must end after it starts."
    if not (s.location or "").strip():
        errors["location"] = "Say where the meeting is, or give the online meeting link."
    elif len(s.location.strip()) > 300:
        errors["location"] = "Keep the place or link to 300 characters."
    if s.views_due_at is None:
        errors["views_due_at"] = "Say when the views are due."
    elif s.views_due_at < now:
        errors["views_due_at"] = "Views cannot be due in the past."
    elif s.starts_at is not None and s.views_due_at > s.starts_at:
        errors["views_due_at"] = "Views must be due before the meeting starts."
    for name in ("starts_at", "ends_at", "views_due_at"):  # the next meetings' dates must not overflow
        value = getattr(s, name)
        if value is not None and not date_within_range(_local_date(value)):
            errors[name] = DATE_RANGE_MESSAGE


def _announce(meeting: Meeting, invitees: Iterable[Invitee], *, method: str, notify: bool) -> None:
    """The outboxes, in this transaction (decision 0018): an iTIP e-mail per invitee at the
    meeting's current SEQUENCE and, for new invitees, an in-app notice."""
    invitees = list(invitees)
    InvitationMail.objects.bulk_create(
        [InvitationMail(invitee=i, method=method, sequence=meeting.sequence) for i in invitees],
        ignore_conflicts=True,
    )
    if notify:
        for i in invitees:
            notice_queue(
                kind=INVITED,
                subject_type=PENDING_VIEW,
                subject_id=i.id,
                recipient=i.professional_id,
                due_date=meeting.views_due_on,
                case=meeting.case_id,
                case_reference=meeting.case.reference,
            )


MEETING_LINK = "/meetings/{id}/"


def _tell(meeting: Meeting, invitees: Iterable[Invitee], *, kind: str, actor: Any) -> None:
    """An in-app notice (e-mailed as each invitee prefers, naming only the case reference and the
    meeting's date) that the meeting moved or was cancelled, in this transaction (the outbox),
    to every invitee but the one who made the change. Told of the invitee's meeting view, dated
    the day the meeting is (now) on, linking to the meeting."""
    me = professional_for(actor)
    for i in invitees:
        if me is not None and i.professional_id == me.pk:
            continue
        notice_queue(
            kind=kind,
            subject_type=PENDING_VIEW,
            subject_id=i.id,
            recipient=i.professional_id,
            due_date=_local_date(meeting.starts_at),
            case=meeting.case_id,
            case_reference=meeting.case.reference,
            link=MEETING_LINK.format(id=meeting.id),
        )


@transaction.atomic
def meeting_schedule(
    *,
    case: Case,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    location: str,
    chair: Professional | None,
    note_taker: Professional | None,
    invitees: Iterable[Professional],
    views_due_at: datetime | None,
    actor: Any,
    family_invited: bool = False,
) -> Meeting:
    """A meeting on the case with a chair, a different note-taker and invitees, all on the case
    team (the chair and note-taker are invited too). Invitees get an in-app notice and an iTIP
    REQUEST; a suggested next meeting of this kind counts as scheduled."""
    access = get_case_for(user=actor, case_id=case.id)
    _require(meeting_may_schedule(access=access), "Only the lead professional or a team lead can schedule a meeting.")
    require_case_open(access.case)
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = "Choose the kind of meeting."
    _check_schedule(Schedule(starts_at, ends_at, location, views_due_at), errors)
    team = _team_ids(case)
    if chair is None:
        errors["chair"] = "Choose who chairs the meeting."
    elif chair.pk not in team:
        errors["chair"] = f"{chair.full_name} is not on this case's team."
    if note_taker is None:
        errors["note_taker"] = "Choose who takes the notes."
    elif chair is not None and note_taker.pk == chair.pk:
        errors["note_taker"] = "The note-taker must be someone other than the chair."
    elif note_taker.pk not in team:
        errors["note_taker"] = f"{note_taker.full_name} is not on this case's team."
    invited = {p.pk: p for p in invitees}
    _check_on_team(invited.values(), team, errors)
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None and views_due_at is not None  # checked above
    assert chair is not None and note_taker is not None
    meeting = Meeting.objects.create(
        case=access.case,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        chair=chair,
        note_taker=note_taker,
        family_invited=bool(family_invited),
        views_due_at=views_due_at,
        views_due_on=_local_date(views_due_at),
        created_by=access.professional,
    )
    invited[chair.pk] = chair
    invited[note_taker.pk] = note_taker
    rows = Invitee.objects.bulk_create([Invitee(meeting=meeting, professional_id=pk) for pk in sorted(invited)])
    _announce(meeting, rows, method=MailMethod.REQUEST, notify=True)
    NextMeeting.objects.filter(case=access.case, kind=kind, scheduled__isnull=True).update(scheduled=meeting)
    audit_record(
        action="meetings.meeting.scheduled",
        actor=actor,
        case=case.id,
        subject_type="meeting",
        subject_id=meeting.id,
        detail={"kind": kind, "invitees": len(rows), "family_invited": meeting.family_invited},
    )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    actor: Any,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    location: str | None = None,
    views_due_at: datetime | None = None,
    invitees: Iterable[Professional] | None = None,
    family_invited: bool | None = None,
) -> Meeting:
    """Change a scheduled meeting's times, place, views' due time, invitees or whether the family is
    invited. Each change raises SEQUENCE and sends every invitee the updated REQUEST; someone
    uninvited gets a CANCEL. Each field is named (the chair and note-taker are not changed here)."""
    access = get_case_for(user=actor, case_id=meeting.case_id)
    _require(meeting_may_change(access=access, meeting=meeting), "Only the chair or a case manager can change this.")
    meeting = _locked(meeting)
    require_case_open(access.case)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError({"status": "Only a scheduled meeting can be changed."})
    new = Schedule(
        starts_at if starts_at is not None else meeting.starts_at,
        ends_at if ends_at is not None else meeting.ends_at,
        location if location is not None else meeting.location,
        views_due_at if views_due_at is not None else meeting.views_due_at,
    )
    errors: dict[str, str] = {}
    _check_schedule(new, errors)
    # A time that is not being changed may already be past (views due this morning): only what changes is checked.
    for name, value in (("starts_at", starts_at), ("views_due_at", views_due_at)):
        if value is None and name in errors and "past" in errors[name]:
            del errors[name]
    team = _team_ids(meeting.case)
    wanted: dict[uuid.UUID, Professional] | None = None
    if invitees is not None:
        wanted = {p.pk: p for p in invitees}
        _check_on_team(wanted.values(), team, errors)
    if errors:
        raise ValidationError(errors)
    changed: list[str] = []
    fields: tuple[tuple[str, Any], ...] = (
        ("starts_at", new.starts_at),
        ("ends_at", new.ends_at),
        ("location", new.location.strip()),
        ("views_due_at", new.views_due_at),
    )
    for name, value in fields:
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed.append(name)
    if "views_due_at" in changed:
        meeting.views_due_on = _local_date(meeting.views_due_at)
        changed.append("views_due_on")
    if family_invited is not None and family_invited != meeting.family_invited:
        meeting.family_invited = family_invited
        changed.append("family_invited")
    current = {i.professional_id: i for i in meeting.invitees.all()}
    added: list[Invitee] = []
    removed: list[Invitee] = []
    if wanted is not None:
        wanted[meeting.chair_id] = meeting.chair
        wanted[meeting.note_taker_id] = meeting.note_taker
        for pk, invitee in current.items():
            if pk not in wanted and invitee.removed_at is None:
                removed.append(invitee)
            elif pk in wanted and invitee.removed_at is not None:
                added.append(invitee)
        new_rows = [Invitee(meeting=meeting, professional_id=pk) for pk in sorted(wanted) if pk not in current]
        added += Invitee.objects.bulk_create(new_rows)
        now = timezone.now()
        Invitee.objects.filter(pk__in=[i.pk for i in removed]).update(removed_at=now)
        Invitee.objects.filter(pk__in=[i.pk for i in added if i.removed_at is not None]).update(removed_at=None)
        if added or removed:
            changed.append("invitees")
    if not changed:
        return meeting
    meeting.sequence += 1
    meeting.save(update_fields=[*[c for c in changed if c != "invitees"], "sequence", "updated_at"])
    staying = [i for pk, i in current.items() if i.removed_at is None and i not in removed]
    _announce(meeting, staying, method=MailMethod.REQUEST, notify="views_due_at" in changed)
    _announce(meeting, added, method=MailMethod.REQUEST, notify=True)
    _announce(meeting, removed, method=MailMethod.CANCEL, notify=False)
    if {"starts_at", "ends_at", "location"} & set(changed):
        _tell(meeting, staying, kind=MEETING_CHANGED, actor=actor)
    audit_record(
        action="meetings.meeting.changed",
        actor=actor,
        case=meeting.case_id,
        subject_type="meeting",
        subject_id=meeting.id,
        detail={"fields": sorted(changed), "sequence": meeting.sequence},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: Any) -> Meeting:
    """Cancel a scheduled meeting: every invitee gets an iTIP CANCEL; pending views stop being due."""
    access = get_case_for(user=actor, case_id=meeting.case_id)
    _require(meeting_may_change(access=access, meeting=meeting), "Only the chair or a case manager can cancel this.")
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError({"status": "Only a scheduled meeting can be cancelled."})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    invited = list(meeting.invitees.filter(removed_at__isnull=True))
    _announce(meeting, invited, method=MailMethod.CANCEL, notify=False)
    _tell(meeting, invited, kind=MEETING_CANCELLED, actor=actor)
    NextMeeting.objects.filter(scheduled=meeting).update(scheduled=None)
    audit_record(
        action="meetings.meeting.cancelled",
        actor=actor,
        case=meeting.case_id,
        subject_type="meeting",
        subject_id=meeting.id,
        detail={"sequence": meeting.sequence},
    )
    return meeting


# --- Views ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewAuthor:
    """Who is giving a view: an invited professional, or the family through the person's portal account."""

    professional: Professional | None
    person: Person | None


def view_author_for(*, user: Any, meeting: Meeting, person_id: Any = None) -> ViewAuthor:
    """The caller as an author of a view on this meeting; Http404 for anyone who may not give one
    and may not see the meeting, PermissionDenied for a professional on the case not invited. The
    family: the person's own portal account, or a proxy in force for them (`person_id`; a frozen or
    expired one is 404), when the family is invited."""
    professional = professional_for(user)
    if professional is not None:
        get_case_for(user=user, case_id=meeting.case_id)
        invited = Invitee.objects.filter(meeting=meeting, professional=professional, removed_at__isnull=True).exists()
        _require(invited, "Only the people invited to this meeting give a view.")
        return ViewAuthor(professional=professional, person=None)
    person, _proxy = family_member_for(user=user, person_id=person_id)
    if not meeting.family_invited or not meeting.case.people.filter(pk=person.pk).exists():
        raise Http404("Not found")
    return ViewAuthor(professional=None, person=person)


def _check_view(
    *, rating: Any, worries: str, working_well: str, next_steps: str, category: str, family: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 10:
        errors["rating"] = "Choose a rating from 0 to 10."
    for name, value, message in (
        ("worries", worries, "Say what you are worried about (or that nothing worries you)."),
        ("working_well", working_well, "Say what is working well."),
        ("next_steps", next_steps, "Say what needs to happen."),
    ):
        if not (value or "").strip():
            errors[name] = message
        elif overlong := too_long(value, NOTE_MAX):
            errors[name] = overlong
    if category not in Category.values:
        errors["category"] = "Choose one of the categories."
    elif family and category != Category.GENERAL:
        errors["category"] = "The family's view is shared with the whole case team."
    return errors


@transaction.atomic
def view_give(
    *,
    meeting: Meeting,
    actor: Any,
    rating: Any,
    worries: str,
    working_well: str,
    next_steps: str,
    category: str = Category.GENERAL,
    person_id: Any = None,
) -> MeetingView:
    """Give or change one's own view, until the meeting opens. Professionals: invited ones only.
    The family: the person's own portal account, or a proxy in force for them (`person_id`), when
    the family is invited. The family gives one view; the account that first gave it is its author,
    and only that account reads or changes it before opening."""
    author = view_author_for(user=actor, meeting=meeting, person_id=person_id)
    meeting = _locked(meeting)
    family = author.professional is None
    errors = _check_view(
        rating=rating,
        worries=worries,
        working_well=working_well,
        next_steps=next_steps,
        category=category or Category.GENERAL,
        family=family,
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        errors["status"] = "Views can be given and changed only until the meeting opens."
    existing = (
        MeetingView.objects.filter(meeting=meeting, family=True)
        if family
        else MeetingView.objects.filter(meeting=meeting, author=author.professional)
    ).first()
    if family and existing is not None and existing.given_by_user_id != actor.pk:
        errors["status"] = "Someone else in your family has given the family's view. Only they can change it."
    if errors:
        raise ValidationError(errors)
    view = existing or MeetingView(meeting=meeting, author=author.professional, family=family, person=author.person)
    view.given_by_user = actor
    view.rating = rating
    view.worries = worries.strip()
    view.working_well = working_well.strip()
    view.next_steps = next_steps.strip()
    view.category = category or Category.GENERAL
    view.save()
    if not family:
        Invitee.objects.filter(meeting=meeting, professional=author.professional, view_given_at__isnull=True).update(
            view_given_at=timezone.now()
        )
    audit_record(
        action="meetings.view.changed" if existing else "meetings.view.given",
        actor=actor,
        case=meeting.case_id,
        person=author.person.pk if author.person else None,
        subject_type="meeting_view",
        subject_id=view.id,
        basis="self" if family else "",
        detail={"meeting": str(meeting.id), "family": family},  # never the view's words or rating
    )
    return view


# --- Opening, attendance --------------------------------------------------------------


@transaction.atomic
def meeting_open(*, meeting: Meeting, actor: Any) -> Meeting:
    """The chair opens the meeting: views stop changing and are revealed. Each professional's view
    is written as a sharing Record of its category, by its author, so the sharing policy decides who
    reads it from now on. A view whose author has left the case team cannot be written for them
    and stays unread (fail closed)."""
    access = get_case_for(user=actor, case_id=meeting.case_id)
    _require(meeting_may_open(access=access, meeting=meeting), "Only the chair opens the meeting.")
    meeting = _locked(meeting)
    require_case_open(access.case)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError({"status": "Only a scheduled meeting can be opened."})
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = timezone.now()
    meeting.save(update_fields=["status", "opened_at", "updated_at"])
    written = 0
    views = list(meeting.views.filter(family=False).select_related("author__user"))
    for view in views:
        assert view.author is not None  # a professional's view
        text = render_to_string("meetings/record_view.txt", {"meeting": meeting, "view": view}).strip()
        try:
            view.record = record_write(case=access.case, category=view.category, text=text, actor=view.author.user)
        except (Http404, PermissionDenied):
            continue
        view.save(update_fields=["record"])
        written += 1
    audit_record(
        action="meetings.meeting.opened",
        actor=actor,
        case=meeting.case_id,
        subject_type="meeting",
        subject_id=meeting.id,
        detail={"views": len(views), "records": written},
    )
    return meeting


def _invitees_by_professional(meeting: Meeting) -> dict[uuid.UUID, Invitee]:
    return {i.professional_id: i for i in meeting.invitees.filter(removed_at__isnull=True)}


@transaction.atomic
def attendance_record(*, meeting: Meeting, actor: Any, attendance: dict[Any, str]) -> Meeting:
    """Who was present, sent apologies or was absent (invitees only), while the meeting is open."""
    access = get_case_for(user=actor, case_id=meeting.case_id)
    _require(meeting_may_record(access=access, meeting=meeting), "Only the chair or the note-taker can do this.")
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.OPEN:
        raise ValidationError({"attendance": "Attendance is recorded while the meeting is open."})
    invited = _invitees_by_professional(meeting)
    chosen: dict[uuid.UUID, str] = {}
    problems: list[str] = []
    for key, value in (attendance or {}).items():
        try:
            pk = key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
        except ValueError:
            problems.append(f"{key} is not a professional id.")
            continue
        if pk not in invited:
            problems.append(f"{pk} was not invited.")
        elif value not in Attendance.values:
            problems.append("Choose present, apologies or absent.")
        else:
            chosen[pk] = value
    if problems or not chosen:
        raise ValidationError({"attendance": problems or ["Say who was present, sent apologies or was absent."]})
    for value in Attendance.values:
        ids = [invited[pk].pk for pk, v in chosen.items() if v == value]
        if ids:
            Invitee.objects.filter(pk__in=ids).update(attendance=value)
    audit_record(
        action="meetings.attendance.recorded",
        actor=actor,
        case=meeting.case_id,
        subject_type="meeting",
        subject_id=meeting.id,
        detail={"recorded": len(chosen)},
    )
    return meeting


# --- Decisions, dissent, actions --------------------------------------------------------


@dataclass(frozen=True)
class DissentIn:
    professional: Professional | None
    reason: str


@dataclass(frozen=True)
class ActionIn:
    goal: Goal | None
    title: str
    due_date: date | None
    accountable: Professional | None
    plain_summary: str = ""


def dissent_answerer_for(meeting: Meeting) -> Professional:
    """Who answers a dissent: the chair's team lead; when the chair has none (or leads their own
    team), the case's lead professional; failing both, the chair."""
    chair = meeting.chair
    lead = chair.team.lead if chair.team_id and chair.team and chair.team.lead_id else None
    if lead is not None and lead.pk != chair.pk:
        return lead
    if meeting.case.lead_professional_id != chair.pk:
        return meeting.case.lead_professional
    return chair


def _names(people: Iterable[Professional]) -> str:
    return ", ".join(sorted(p.full_name for p in people)) or "nobody"


@transaction.atomic
def decision_record(
    *,
    meeting: Meeting,
    actor: Any,
    text: str,
    agreed_by: Iterable[Professional] = (),
    dissent: Iterable[DissentIn] = (),
    actions: Iterable[ActionIn] = (),
    corrects: Decision | None = None,
) -> Decision:
    """A decision of the open meeting, who agreed and who dissented (with their reason), and its
    actions, each created as a milestone of the plan by plans.services.milestone_add (its rights
    and rules) in this same transaction. A dissent becomes a due item for the chair's team lead.
    After the meeting closes only a correction (`corrects`) may be added; nothing is changed."""
    access = get_case_for(user=actor, case_id=meeting.case_id)
    _require(meeting_may_record(access=access, meeting=meeting), "Only the chair or the note-taker can do this.")
    meeting = _locked(meeting)
    errors: dict[str, Any] = {}
    if corrects is not None:
        if corrects.meeting_id != meeting.pk:
            errors["corrects"] = "Choose a decision of this meeting."
        elif meeting.status not in (MeetingStatus.OPEN, MeetingStatus.CLOSED):
            errors["corrects"] = "Only a decision of an open or closed meeting can be corrected."
    elif meeting.status != MeetingStatus.OPEN:
        errors["status"] = "Decisions are recorded while the meeting is open; after it closes, add a correction."
    if not (text or "").strip():
        errors["text"] = "Write the decision."
    elif overlong := too_long(text, NOTE_MAX):
        errors["text"] = overlong
    invited = _invitees_by_professional(meeting)
    agreed = {p.pk: p for p in agreed_by}
    if any(pk not in invited for pk in agreed):
        errors["agreed_by"] = "Only people invited to the meeting can agree."
    dissents = list(dissent)
    problems = []
    for n, d in enumerate(dissents, 1):
        if d.professional is None or d.professional.pk not in invited:
            problems.append(f"Dissent {n}: only people invited to the meeting can dissent.")
        elif d.professional.pk in agreed:
            problems.append(f"Dissent {n}: {d.professional.full_name} cannot both agree and dissent.")
        if not (d.reason or "").strip():
            problems.append(f"Dissent {n}: give the reason, in their own words.")
        elif overlong := too_long(d.reason, NOTE_MAX):
            problems.append(f"Dissent {n}: {overlong}")
    if len({d.professional.pk for d in dissents if d.professional}) < len(dissents):
        problems.append("Each person dissents once.")
    if problems:
        errors["dissent"] = problems
    if errors:
        raise ValidationError(errors)
    dissenters = [d.professional for d in dissents if d.professional is not None]
    record_text = render_to_string(
        "meetings/record_decision.txt",
        {"meeting": meeting, "text": text.strip(), "agreed": _names(agreed.values()), "dissent": dissents},
    ).strip()
    record = record_write(case=access.case, category=Category.GENERAL, text=record_text, actor=actor)
    decision = Decision.objects.create(
        meeting=meeting, text=text.strip(), recorded_by=access.professional, record=record, corrects=corrects
    )
    decision.agreed_by.set(agreed.values())
    if dissents:
        answerer = dissent_answerer_for(meeting)
        due = timezone.localdate() + timedelta(days=DISSENT_ANSWER_DAYS)
        Dissent.objects.bulk_create(
            [
                Dissent(
                    decision=decision,
                    professional=d.professional,
                    reason=d.reason.strip(),
                    answerer=answerer,
                    answer_due=due,
                )
                for d in dissents
            ]
        )
    action_errors = []
    created = []
    for n, a in enumerate(actions, 1):
        try:
            if a.goal is None:
                raise ValidationError({"goal": "Choose a goal of this case."})
            if a.due_date is not None and not date_within_range(a.due_date):
                raise ValidationError({"due_date": DATE_RANGE_MESSAGE})
            if overlong := too_long(a.plain_summary, PLAIN_SUMMARY_MAX):
                raise ValidationError({"plain_summary": overlong})
            milestone = milestone_add(
                case=access.case,
                goal=a.goal,
                title=a.title,
                due_date=a.due_date,  # type: ignore[arg-type]  # milestone_add answers None with its 400
                accountable=a.accountable,  # type: ignore[arg-type]
                plain_summary=a.plain_summary,
                actor=actor,
            )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"action": exc.messages}
            action_errors += [f"Action {n}: {m}" for ms in messages.values() for m in ms]
            continue
        created.append(Action(decision=decision, milestone=milestone))
    if action_errors:
        raise ValidationError({"actions": action_errors})  # the whole decision rolls back
    Action.objects.bulk_create(created)
    audit_record(
        action="meetings.decision.corrected" if corrects else "meetings.decision.recorded",
        actor=actor,
        case=meeting.case_id,
        subject_type="meeting_decision",
        subject_id=decision.id,
        detail={
            "meeting": str(meeting.id),
            "agreed": len(agreed),
            "dissent": len(dissenters),
            "actions": [str(a.milestone_id) for a in created],
            **({"corrects": str(corrects.id)} if corrects else {}),
        },
    )
    return decision


def dissent_may_answer(*, dissent: Dissent, professional: Professional | None) -> bool:
    return professional is not None and dissent.answerer_id == professional.pk and dissent.answered_at is None


@transaction.atomic
def dissent_answer(*, dissent: Dissent, actor: Any, answer: str) -> Dissent:
    """The written answer to a dissent, by the professional asked for it; kept with the decision."""
    professional = professional_for(actor)
    if professional is None or dissent.answerer_id != professional.pk:
        raise PermissionDenied("Only the team lead asked for it answers this dissent.")
    dissent = Dissent.objects.select_for_update().get(pk=dissent.pk)
    if dissent.answered_at is not None:
        raise ValidationError({"answer": "This dissent has been answered."})
    if not (answer or "").strip():
        raise ValidationError({"answer": "Write the answer."})
    if overlong := too_long(answer, NOTE_MAX):
        raise ValidationError({"answer": overlong})
    dissent.answer = answer.strip()
    dissent.answered_at = timezone.now()
    dissent.answered_by = professional
    dissent.save(update_fields=["answer", "answered_at", "answered_by"])
    meeting = dissent.decision.meeting
    audit_record(
        action="meetings.dissent.answered",
        actor=actor,
        case=meeting.case_id,
        subject_type="meeting_dissent",
        subject_id=dissent.id,
        detail={"decision": str(dissent.decision_id)},
    )
    return dissent


# --- Closing ------------------------------------------------------------------------------


@transaction.atomic
def meeting_close(*, meeting: Meeting, actor: Any, minutes: str, plain_summary: str) -> Meeting:
    """Close with the minutes (written as a `general` Record) and a plain summary for the family.
    The next meeting(s) the kind calls for become due items for the chair until scheduled. After
    this, views and decisions never change (a correction is a new decision)."""
    access = get_case_for(user=actor, case_id=meeting.case_id)
    _require(meeting_may_record(access=access, meeting=meeting), "Only the chair or the note-taker can do this.")
    meeting = _locked(meeting)
    errors: dict[str, str] = {}
    if meeting.status != MeetingStatus.OPEN:
        errors["status"] = "Only an open meeting can be closed."
    if not (minutes or "").strip():
        errors["minutes"] = "Write the minutes."
    elif overlong := too_long(minutes, LONG_TEXT_MAX):
        errors["minutes"] = overlong
    if not (plain_summary or "").strip():
        errors["plain_summary"] = "Write a short summary for the family in plain words."
    elif overlong := too_long(plain_summary, PLAIN_SUMMARY_MAX):
        errors["plain_summary"] = overlong
    if errors:
        raise ValidationError(errors)
    meeting.minutes = minutes.strip()
    meeting.plain_summary = plain_summary.strip()
    text = render_to_string("meetings/record_minutes.txt", {"meeting": meeting}).strip()
    meeting.minutes_record = record_write(case=access.case, category=Category.GENERAL, text=text, actor=actor)
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["minutes", "plain_summary", "minutes_record", "status", "closed_at", "updated_at"])
    held_on = _local_date(meeting.starts_at)
    suggestions = NextMeeting.objects.bulk_create(
        [
            NextMeeting(after=meeting, case=meeting.case, kind=kind, due_on=due, chair=meeting.chair)
            for kind, due in next_meetings_due(kind=meeting.kind, held_on=held_on)
        ]
    )
    audit_record(
        action="meetings.meeting.closed",
        actor=actor,
        case=meeting.case_id,
        subject_type="meeting",
        subject_id=meeting.id,
        detail={"next": [{"kind": s.kind, "due_on": s.due_on.isoformat()} for s in suggestions]},
    )
    return meeting
