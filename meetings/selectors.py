"""Every read of meetings/, already filtered for the viewer, and audited where it reads.

The sealed rule (DESIGN invariant 10) lives here: before the chair opens the meeting,
no selector loads a view's words or rating for anyone but its author; the others get
only who has given one (`views_given`). After opening, a professional's view is read
through the sharing policy (its Record, of the view's category), the family's view by
everyone who sees the meeting; the spread is of the views the viewer may read.

Floor 6. May use: plans, sharing, cases, accountability, agencies, audit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import DateField, DateTimeField, Q, QuerySet, UUIDField
from django.http import Http404
from django.utils import timezone

from agencies.models import Professional
from agencies.prepared import PreparedQuery
from agencies.selectors import professional_for
from audit.services import audit_record, audit_record_many
from cases.models import Case, Person, ProxyAccess, ProxyScope
from cases.selectors import VIEW, CaseAccess, get_case_for, parse_uuid, person_for, proxy_for
from meetings.models import (
    CONFERENCE_KINDS,
    Action,
    Attendance,
    Decision,
    Dissent,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingView,
    NextMeeting,
)
from sharing import selectors as sharing_selectors
from sharing.policy import Moment, checked_case_records

WIDE_RANGE = 4  # a spread of 4 or more is flagged for discussion before deciding
QUORUM_AGENCIES = 3


# The meeting's page and API read these at every visit: compiled once (agencies.prepared).
_MEETING = PreparedQuery(lambda *, meeting: Meeting.objects.filter(pk=meeting).order_by()[:1], meeting=UUIDField())
_MEETING_WITH_PEOPLE = PreparedQuery(
    lambda *, meeting: (
        Meeting.objects.filter(pk=meeting).select_related("chair__agency", "note_taker__agency").order_by()[:1]
    ),
    meeting=UUIDField(),
)
_INVITEES = PreparedQuery(
    lambda *, meeting: (
        Invitee.objects.filter(meeting_id=meeting, removed_at__isnull=True)
        .select_related("professional__agency")
        .order_by("professional__family_name", "professional__given_name", "id")
    ),
    meeting=UUIDField(),
)
_VIEWS = PreparedQuery(
    lambda *, meeting: MeetingView.objects.filter(meeting_id=meeting).order_by("-family", "created_at", "id"),
    meeting=UUIDField(),
)
_VIEW_BASES = PreparedQuery(
    lambda *, meeting, agency, me, case, now, today: (
        checked_case_records(agency_id=agency, professional_id=me, case_id=case, moment=Moment(now=now, today=today))
        .filter(pk__in=MeetingView.objects.filter(meeting_id=meeting).values("record_id"))
        .values_list("pk", "basis")  # type: ignore[misc]  # an annotation of the policy
    ),
    meeting=UUIDField(),
    agency=UUIDField(),
    me=UUIDField(),
    case=UUIDField(),
    now=DateTimeField(),
    today=DateField(),
)
_DECISIONS = PreparedQuery(
    lambda *, meeting: Decision.objects.filter(meeting_id=meeting).order_by("created_at", "id"), meeting=UUIDField()
)
_AGREED = PreparedQuery(
    lambda *, meeting: (
        Decision.agreed_by.through.objects.filter(decision__meeting_id=meeting)
        .order_by("professional__family_name", "professional__given_name", "professional_id")
        .values_list("decision_id", "professional_id")
    ),
    meeting=UUIDField(),
)
_DISSENTS = PreparedQuery(lambda *, meeting: Dissent.objects.filter(decision__meeting_id=meeting), meeting=UUIDField())
_ACTIONS = PreparedQuery(
    lambda *, meeting: Action.objects.filter(decision__meeting_id=meeting).select_related("milestone"),
    meeting=UUIDField(),
)


def meeting_get_for(
    *, user: Any, meeting_id: Any, perm: str = VIEW, request: Any = None, people: bool = True
) -> tuple[Meeting, CaseAccess]:
    """The meeting and the viewer's access to its case: 404 when the case is not visible.
    With `people` the chair and note-taker come loaded (with their agencies); the meeting
    detail passes False and takes them from the invitees it loads anyway."""
    found = (_MEETING_WITH_PEOPLE if people else _MEETING).objects(meeting=parse_uuid(meeting_id))
    meeting = found[0] if found else None
    if meeting is None:
        raise Http404("Not found")
    access = get_case_for(user=user, case_id=meeting.case_id, perm=perm, request=request)
    meeting.case = access.case
    return meeting, access


# The proxy scopes that carry the family's side of meetings: both carry the plan, and a meeting is
# part of the plan, as the messages and "what I think" are (decision 0072). A scope added later
# (say, consents only) does not, until it is named here.
FAMILY_MEETING_SCOPES = frozenset({ProxyScope.PLAN, ProxyScope.PLAN_AND_CONSENTS})


def family_member_for(*, user: Any, person_id: Any = None) -> tuple[Person, ProxyAccess | None]:
    """Whose family the portal account speaks for: its own person (no id, or its own id), or the
    person it holds proxy access for that is in force now (not ended, frozen or expired) with a
    scope that carries meetings. Anyone else: 404."""
    own = person_for(user)
    if person_id is None or (own is not None and parse_uuid(person_id) == own.pk):
        if own is None:
            raise Http404("Not found")
        return own, None
    proxy = proxy_for(user=user, person_id=person_id)
    if proxy is None or proxy.scope not in FAMILY_MEETING_SCOPES:
        raise Http404("Not found")
    return proxy.person, proxy


def meeting_for_family(*, user: Any, meeting_id: Any, person_id: Any = None) -> tuple[Meeting, Person]:
    """The meeting as the family sees it: the person's own portal account, or a proxy in force for
    them (`person_id`), on the meeting's case, with the family invited. Anyone else: 404."""
    person, _proxy = family_member_for(user=user, person_id=person_id)
    pk = parse_uuid(meeting_id)
    meeting = Meeting.objects.select_related("case").filter(pk=pk, family_invited=True).first()
    if meeting is None or not meeting.case.people.filter(pk=person.pk).exists():
        raise Http404("Not found")
    return meeting, person


def meeting_get_for_author(*, user: Any, meeting_id: Any, person_id: Any = None) -> Meeting:
    """The meeting for someone who may give a view on it (a professional who sees the case, or the
    family); who may actually give one is meetings.services.view_author_for's decision."""
    if professional_for(user) is not None:
        return meeting_get_for(user=user, meeting_id=meeting_id)[0]
    return meeting_for_family(user=user, meeting_id=meeting_id, person_id=person_id)[0]


def family_view_of(*, meeting: Meeting, user: Any) -> tuple[MeetingView | None, bool]:
    """The family's view as this family member may read it before opening: its words only if they
    gave it (the account that first gave the family's view is its author, so a parent never reads
    what their child wrote, nor the other way round); and whether someone else in the family gave it."""
    view = MeetingView.objects.filter(meeting=meeting, family=True).first()
    if view is None:
        return None, False
    if view.given_by_user_id == getattr(user, "pk", None):
        return view, False
    return None, True


def case_meetings(*, case: Case) -> QuerySet[Meeting]:
    """The case's meetings (the case was checked by the gate): no view content."""
    return Meeting.objects.filter(case=case).select_related("chair", "note_taker").order_by("-starts_at", "id")


# The case page lists the latest ten at every visit: compiled once (agencies.prepared).
_LATEST_MEETINGS = PreparedQuery(lambda *, case: case_meetings(case=case)[:10], case=UUIDField())  # type: ignore[arg-type]


def case_meetings_latest(*, case: Case) -> list[Meeting]:
    """The case's ten latest meetings, as `case_meetings` orders them (one query)."""
    return _LATEST_MEETINGS.objects(case=case.pk)


def my_view(*, meeting: Meeting, user: Any, request: Any = None) -> MeetingView | None:
    """The caller's own view (the one content anyone reads before opening: their own). Audited."""
    professional = professional_for(user)
    if professional is not None:
        view = MeetingView.objects.filter(meeting=meeting, author=professional).first()
        person_id = None
    else:
        view, _ = family_view_of(meeting=meeting, user=user)
        person_id = view.person_id if view else None
    if view is not None:
        audit_record(
            action="meetings.view.viewed",
            actor=user,
            request=request,
            case=meeting.case_id,
            person=person_id,
            subject_type="meeting_view",
            subject_id=view.id,
            basis="self" if professional is None else "own_agency",
            detail={"meeting": str(meeting.id), "own": True},
        )
    return view


@dataclass
class ShownView:
    view: MeetingView
    agency_id: uuid.UUID | None
    agency_name: str
    author_name: str
    basis: str


@dataclass
class Spread:
    min: int
    max: int
    range: int
    flagged: bool
    ratings: list[dict[str, Any]]


@dataclass
class MeetingDetail:
    meeting: Meeting
    access: CaseAccess
    invitees: list[Invitee]
    views_given: list[uuid.UUID]
    family_view_given: bool
    views: list[ShownView] = field(default_factory=list)
    spread: Spread | None = None
    quorate: bool | None = None
    decisions: list[Decision] = field(default_factory=list)
    next_meetings: list[NextMeeting] = field(default_factory=list)

    @property
    def sealed(self) -> bool:
        return self.meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED)

    @property
    def pending(self) -> list[Invitee]:
        return [i for i in self.invitees if i.view_given_at is None]


def _spread(views: list[ShownView]) -> Spread | None:
    if not views:
        return None
    ratings = [v.view.rating for v in views]
    low, high = min(ratings), max(ratings)
    return Spread(
        min=low,
        max=high,
        range=high - low,
        flagged=high - low >= WIDE_RANGE,
        ratings=[
            {"agency": v.agency_id, "agency_name": v.agency_name, "family": v.view.family, "rating": v.view.rating}
            for v in views
        ],
    )


def quorate(*, meeting: Meeting, invitees: list[Invitee]) -> bool | None:
    """Initial and review conferences: at least three agencies present. Other kinds: None."""
    if meeting.kind not in CONFERENCE_KINDS:
        return None
    agencies = {i.professional.agency_id for i in invitees if i.attendance == Attendance.PRESENT}
    return len(agencies) >= QUORUM_AGENCIES


def _professionals(known: dict[uuid.UUID, Professional], wanted: set[Any]) -> dict[uuid.UUID, Professional]:
    """The professionals `wanted` (ids), from those already loaded (`known`) and, for the rest, one
    query: the detail names people who are mostly its invitees, so their rows are read once."""
    missing = {pk for pk in wanted if pk is not None and pk not in known}
    if missing:
        known.update({p.pk: p for p in Professional.objects.filter(pk__in=missing).select_related("agency")})
    return known


def _revealed_views(meeting: Meeting, access: CaseAccess, people: dict[uuid.UUID, Professional]) -> list[MeetingView]:
    """After opening: the family's view first, then every professional view whose Record the
    sharing policy lets the viewer read (the policy's own predicate, one query). Each view is
    annotated with `basis`; its author comes from `people` (the invitees) where it can."""
    views = _VIEWS.objects(meeting=meeting.pk)
    bases: dict[Any, str] = {}
    if any(v.record_id is not None for v in views):
        moment = Moment.at()
        bases = dict(
            _VIEW_BASES.rows(
                meeting=meeting.pk,
                agency=access.professional.agency_id,
                me=access.professional.pk,
                case=access.case.pk,
                now=moment.now,
                today=moment.today,
            )
        )
    shown = [v for v in views if v.family or (v.author_id is not None and v.record_id in bases)]
    _professionals(people, {v.author_id for v in shown})
    for v in shown:
        v.basis = "coordination" if v.family else bases[v.record_id]  # type: ignore[attr-defined]
        if v.author_id is not None:
            v.author = people[v.author_id]
    return views


def _shown(views: list[MeetingView]) -> list[ShownView]:
    shown = []
    for v in views:
        if v.family:
            shown.append(ShownView(v, None, "Family", "The family", "coordination"))
        elif hasattr(v, "basis") and v.author is not None:
            shown.append(ShownView(v, v.author.agency_id, v.author.agency.name, v.author.full_name, v.basis))
    return shown


def _decisions(meeting: Meeting, people: dict[uuid.UUID, Professional]) -> list[Decision]:
    """The meeting's decisions with who agreed, the dissents and the actions' milestones: one query
    each whatever their number; the professionals the dissents and actions name are taken from
    `people` (plus one query for those not invited, such as the team lead answering a dissent)
    instead of being joined into each query."""
    decisions = _DECISIONS.objects(meeting=meeting.pk)
    if not decisions:
        return decisions
    agreed = _AGREED.rows(meeting=meeting.pk)  # (decision, professional), by name
    dissents = _DISSENTS.objects(meeting=meeting.pk)
    actions = _ACTIONS.objects(meeting=meeting.pk)
    _professionals(
        people,
        {d.recorded_by_id for d in decisions}
        | {pk for _, pk in agreed}
        | {pk for x in dissents for pk in (x.professional_id, x.answerer_id, x.answered_by_id)}
        | {a.milestone.accountable_id for a in actions},
    )
    # As prefetch_related would leave them: `d.agreed_by.all()`, `d.dissents.all()`, `d.actions.all()`.
    for d in decisions:
        d._prefetched_objects_cache = {"agreed_by": [], "dissents": [], "actions": []}
    by_id = {d.pk: d._prefetched_objects_cache for d in decisions}
    for decision_id, professional_id in agreed:
        by_id[decision_id]["agreed_by"].append(people[professional_id])
    for x in dissents:
        by_id[x.decision_id]["dissents"].append(x)
    for a in actions:
        by_id[a.decision_id]["actions"].append(a)
    for d in decisions:
        d.recorded_by = people[d.recorded_by_id]
    for x in dissents:
        x.professional = people[x.professional_id]
        x.answerer = people[x.answerer_id]
        if x.answered_by_id is not None:
            x.answered_by = people[x.answered_by_id]
    for a in actions:
        a.milestone.accountable = people[a.milestone.accountable_id]
    return decisions


def meeting_detail(*, user: Any, meeting_id: Any, request: Any = None) -> MeetingDetail:
    """The meeting page and `GET /api/v1/meetings/{id}/`: details, invitees and who has given a view;
    once opened the views the viewer may read, side by side (the family's first), the spread, the
    attendance, whether it is quorate, the decisions. A constant number of queries whatever the
    number of invitees, views or decisions. Audited as `meetings.meeting.viewed` (how many views
    were shown, never what they say).

    Its CPU cost is most of the page's (bench/RESULTS-meetings.md): each professional it names
    (chair, note-taker, authors, who agreed or dissented, the accountable) is read once, with the
    invitees, instead of joined again into every query."""
    # Its reads and their audit (the meeting read, the narrower views read) in one transaction:
    # one commit, so one wait for the audit's WAL flush, where there were two.
    # The gate stays outside: a refused read is audited and answers 404, which must not undo that.
    meeting, access = meeting_get_for(user=user, meeting_id=meeting_id, request=request, people=False)
    with transaction.atomic(savepoint=False):  # inside another transaction, just part of it
        return _meeting_detail(meeting, access, user=user, request=request)


def _meeting_detail(meeting: Meeting, access: CaseAccess, *, user: Any, request: Any) -> MeetingDetail:
    invitees = _INVITEES.objects(meeting=meeting.pk)
    people = {i.professional_id: i.professional for i in invitees}
    _professionals(people, {meeting.chair_id, meeting.note_taker_id})
    meeting.chair = people[meeting.chair_id]
    meeting.note_taker = people[meeting.note_taker_id]
    detail = MeetingDetail(
        meeting=meeting,
        access=access,
        invitees=invitees,
        views_given=[i.professional_id for i in invitees if i.view_given_at is not None],
        family_view_given=False,
    )
    if detail.sealed:
        detail.family_view_given = (
            meeting.family_invited and MeetingView.objects.filter(meeting=meeting, family=True).exists()
        )
    else:
        views = _revealed_views(meeting, access, people)
        # A view given a narrower category (health, police...) is read under the sharing policy
        # like any record: audited per record and person with its basis, overrides linked. The
        # case team's general views are coordination, audited with the meeting read below.
        sensitive = [
            v.record_id for v in views if not v.family and getattr(v, "basis", "coordination") != "coordination"
        ]
        if sensitive:
            sharing_selectors.record_reads_audit(user=user, case=access.case, record_ids=sensitive, request=request)
        detail.family_view_given = meeting.family_invited and any(v.family for v in views)
        detail.views = _shown(views)
        detail.spread = _spread(detail.views)
        detail.quorate = quorate(meeting=meeting, invitees=invitees)
        detail.decisions = _decisions(meeting, people)
        if meeting.status == MeetingStatus.CLOSED:
            detail.next_meetings = list(NextMeeting.objects.filter(after=meeting).order_by("due_on"))
    _audit_read(
        "meetings.meeting.viewed",
        meeting,
        user=user,
        request=request,
        detail={"status": meeting.status, "views_shown": len(detail.views)},
    )
    return detail


def _audit_read(
    action: str, meeting: Meeting, *, user: Any, request: Any, detail: dict[str, Any] | None = None
) -> None:
    """A professional's read of a meeting (its case seen through the gate): counts, never content."""
    audit_record_many(
        [
            {
                "action": action,
                "case": meeting.case_id,
                "subject_type": "meeting",
                "subject_id": meeting.id,
                "basis": "coordination",
                "detail": detail or {},
            }
        ],
        actor=user,
        request=request,
    )  # the hand-built INSERT (audit.services._insert): a meeting read is audited at every visit


def decisions_read(*, user: Any, meeting_id: Any, request: Any = None) -> tuple[Meeting, list[Decision]]:
    """The meeting's decisions (records of category general for the case team). Audited."""
    meeting, _ = meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .prefetch_related("agreed_by", "dissents", "actions")
        .order_by("created_at", "id")
    )
    _audit_read("meetings.decision.listed", meeting, user=user, request=request, detail={"decisions": len(decisions)})
    return meeting, decisions


def invitation_read(*, user: Any, meeting_id: Any, request: Any = None) -> tuple[Meeting, list[str], str]:
    """What the .ics download carries: the meeting, its invitees' e-mail addresses and the method.
    Audited as `meetings.invitation.viewed`."""
    meeting, _ = meeting_get_for(user=user, meeting_id=meeting_id, request=request)
    emails = list(
        Invitee.objects.filter(meeting=meeting, removed_at__isnull=True)
        .exclude(professional__user__email="")
        .order_by("professional__user__email")
        .values_list("professional__user__email", flat=True)
    )
    _audit_read("meetings.invitation.viewed", meeting, user=user, request=request)
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return meeting, emails, method


def dissent_get_for_answerer(*, user: Any, dissent_id: Any) -> Dissent:
    """A dissent for the professional asked to answer it; anyone else 404."""
    professional = professional_for(user)
    dissent = (
        Dissent.objects.select_related("decision__meeting__case", "professional")
        .filter(pk=parse_uuid(dissent_id))
        .first()
    )
    if dissent is None or professional is None or dissent.answerer_id != professional.pk:
        raise Http404("Not found")
    return dissent


def dissent_read(*, user: Any, dissent_id: Any, request: Any = None) -> Dissent:
    dissent = dissent_get_for_answerer(user=user, dissent_id=dissent_id)
    audit_record(
        action="meetings.dissent.viewed",
        actor=user,
        request=request,
        case=dissent.decision.meeting.case_id,
        subject_type="meeting_dissent",
        subject_id=dissent.id,
        basis="coordination",
    )
    return dissent


def invitee_get_for(*, user: Any, invitee_id: Any) -> Invitee:
    """My invitation (the pending-view reminder's link): the invited professional only."""
    professional = professional_for(user)
    invitee = Invitee.objects.filter(pk=parse_uuid(invitee_id)).first()
    if invitee is None or professional is None or invitee.professional_id != professional.pk:
        raise Http404("Not found")
    return invitee


def next_meeting_get(*, case: Case, suggestion_id: Any) -> NextMeeting | None:
    try:
        pk = parse_uuid(suggestion_id)
    except Http404:
        return None
    return NextMeeting.objects.filter(pk=pk, case=case).first()


# Kinds the portal names only when the family is invited: a strategy discussion (or a meeting of
# professionals alone) may be about a risk within the family, and telling them could put a child
# at risk (decision 0071).
FAMILY_NOT_TOLD_KINDS = (MeetingKind.STRATEGY_DISCUSSION, MeetingKind.PROFESSIONALS)


@dataclass
class FamilyNextMeeting:
    """What the family may know of a coming meeting: never the agenda, the chair or anyone's view."""

    id: uuid.UUID
    kind: str
    starts_at: Any
    ends_at: Any
    location: str
    family_invited: bool

    @property
    def online(self) -> bool:
        return self.location.strip().lower().startswith(("http://", "https://"))


def family_next_meetings(*, case_ids: list[Any]) -> dict[Any, FamilyNextMeeting]:
    """The next scheduled meeting of each case that the family may know of (one query): every kind
    the family is invited to, and others but strategy discussions and professionals' meetings."""
    if not case_ids:
        return {}
    rows = (
        Meeting.objects.filter(case_id__in=case_ids, status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        .filter(Q(family_invited=True) | ~Q(kind__in=FAMILY_NOT_TOLD_KINDS))
        .order_by("case_id", "starts_at", "id")
        .values_list("case_id", "id", "kind", "starts_at", "ends_at", "location", "family_invited")
    )
    found: dict[Any, FamilyNextMeeting] = {}
    for case_id, pk, kind, starts_at, ends_at, location, invited in rows:
        if case_id not in found:
            found[case_id] = FamilyNextMeeting(pk, kind, starts_at, ends_at, location, invited)
    return found


def family_meetings(*, person: Person) -> QuerySet[Meeting]:
    """The meetings the family is invited to on the person's cases: no professional content."""
    return (
        Meeting.objects.filter(case__people=person, family_invited=True)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at", "id")
    )


@dataclass
class FamilyMeetingPage:
    meeting: Meeting
    person: Person
    view: MeetingView | None
    given_by_other: bool


def family_meeting_read(*, user: Any, meeting_id: Any, person_id: Any = None, request: Any = None) -> FamilyMeetingPage:
    """The family's page of a meeting: times, their own view (or that someone else in the family has
    given it), and after closing the plain summary. Audited (basis self, or the proxy's access)."""
    person, proxy = family_member_for(user=user, person_id=person_id)
    meeting, person = meeting_for_family(user=user, meeting_id=meeting_id, person_id=person_id)
    audit_record(
        action="portal.meeting.viewed",
        actor=user,
        request=request,
        case=meeting.case_id,
        person=person.pk,
        subject_type="meeting",
        subject_id=meeting.id,
        basis="self" if proxy is None else "",
        detail={} if proxy is None else {"proxy": str(proxy.pk)},
    )
    view, given_by_other = family_view_of(meeting=meeting, user=user)
    return FamilyMeetingPage(meeting=meeting, person=person, view=view, given_by_other=given_by_other)
