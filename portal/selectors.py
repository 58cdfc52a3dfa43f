"""Reads for the person's portal: only the signed-in person's own portal, or that of
someone they hold proxy access for, in plain words. Every read of the person's data is
audited here.

What the person sees of their plan: each goal and milestone by its plain summary only
(an item without one is not shown), a status in words, who is doing it (name, agency,
role on the case, how to reach them) and the next review. Never the professional
title, professional wording, records, other people's plans, or anyone who only reads
records.

A moved item (its due date changed by a professional) is "coming up, moved to {date}"; the
reason shown is only the one the worker wrote for the person (`reason_for_person` in the
item's history), never the professional's own reason (decision 0070). The next meeting comes
from meetings.selectors, as the family may know of it (decision 0071).

Floor 7 (portal). May use: meetings, plans, sharing, cases, accountability, agencies, audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Professional
from audit.services import audit_record
from cases.models import Case, CaseStatus, Person, ProxyAccess, ProxyScope, Role, RoleAssignment
from cases.selectors import parse_uuid, proxies_in_force_for
from meetings.selectors import FamilyNextMeeting, family_next_meetings
from plans.models import Goal, ItemStatus, Milestone, Review
from portal.models import Feedback, MessageKind, PortalMessage
from sharing import selectors as sharing_selectors

DONE, COMING_UP, LATE = "done", "coming_up", "late"
STATUS_WORDS = {DONE: _("Done"), COMING_UP: _("Coming up"), LATE: _("Late")}
# Each kind of meeting in plain words (meetings.models.MeetingKind): what the family reads.
MEETING_KIND_WORDS = {
    "strategy_discussion": _("A talk about how to keep you safe"),
    "initial_conference": _("A first big meeting about keeping you safe"),
    "review_conference": _("A big meeting to check how things are going"),
    "core_group": _("A meeting of the people who help you most"),
    "team_around_the_family": _("A meeting with all who help your family"),
    "professionals": _("A meeting of your workers"),
}


def person_for(user: Any) -> Person | None:
    """The person this portal account belongs to, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


@dataclass
class PortalSubject:
    """Whose portal is open: the person, and the proxy access it is seen through (None:
    their own account)."""

    person: Person
    proxy: ProxyAccess | None = None

    @property
    def is_self(self) -> bool:
        return self.proxy is None

    @property
    def may_see_sharing(self) -> bool:
        """The person themself, or a proxy with the consents scope."""
        return self.proxy is None or self.proxy.scope == ProxyScope.PLAN_AND_CONSENTS

    @property
    def may_change_sharing(self) -> bool:
        """The person themself, or a proxy with the consents scope and parental responsibility."""
        if self.proxy is None:
            return True
        return self.proxy.scope == ProxyScope.PLAN_AND_CONSENTS and self.proxy.relationship.parental_responsibility

    @property
    def url_prefix(self) -> str:
        return "/portal/" if self.proxy is None else f"/portal/for/{self.person.pk}/"


def portal_subject_for(*, user: Any, person_id: Any = None) -> PortalSubject:
    """The portal the user may open: their own (no id, or their own id), or one they hold
    proxy access for that is in force now; Http404 for anything else."""
    own = person_for(user)
    if person_id is None or (own is not None and parse_uuid(person_id) == own.pk):
        if own is None:
            raise Http404("Not found")
        return PortalSubject(person=own)
    pk = parse_uuid(person_id)
    for proxy in proxies_in_force_for(user=user):
        if proxy.person_id == pk:
            return PortalSubject(person=proxy.person, proxy=proxy)
    raise Http404("Not found")


def portals_for(*, user: Any) -> list[PortalSubject]:
    """Every portal the user may open: their own first, then each person they are a proxy for."""
    own = person_for(user)
    mine = [PortalSubject(person=own)] if own is not None else []
    return mine + [PortalSubject(person=p.person, proxy=p) for p in proxies_in_force_for(user=user)]


def audit_portal_read(action: str, *, subject: PortalSubject, user: Any, request: Any, case: Any = None) -> None:
    audit_record(
        action=action,
        actor=user,
        request=request,
        person=subject.person.pk,
        case=case,
        subject_type="person",
        subject_id=subject.person.pk,
        basis="self" if subject.is_self else "",
        detail={} if subject.is_self else {"proxy": str(subject.proxy.pk)},  # type: ignore[union-attr]
    )


@dataclass
class Worker:
    name: str
    agency: str
    role: str
    is_lead: bool
    contact: str


@dataclass
class PlanItem:
    summary: str
    status: str
    due_date: date
    worker: Worker | None
    moved: bool = False
    reason: str = ""  # the worker's reason for the person, in plain words ("" when none was written)

    @property
    def status_words(self) -> str:
        return str(STATUS_WORDS[self.status])  # in the language of the page being drawn


@dataclass
class PlanGoal:
    summary: str
    target_date: date
    done: bool
    items: list[PlanItem]


@dataclass
class NextReview:
    on: date
    worker: Worker | None


@dataclass
class PortalPlan:
    case: Case
    title: str
    goals: list[PlanGoal]
    workers: list[Worker]
    next_review: NextReview | None
    lead: Worker | None
    next_meeting: FamilyNextMeeting | None = None

    @property
    def next_meeting_words(self) -> str:
        """The next meeting's kind in plain words."""
        return str(MEETING_KIND_WORDS.get(self.next_meeting.kind, "")) if self.next_meeting else ""


def item_status(*, status: str, due: date, today: date) -> str:
    if status == ItemStatus.COMPLETED:
        return DONE
    return LATE if due < today else COMING_UP


def last_move(history: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The latest due-date change in an item's history (plans.services writes them), or None."""
    return next((e for e in reversed(history or []) if e.get("change") == "due_date"), None)


def plan_item(milestone: Milestone, *, today: date, workers: dict[Any, Worker]) -> PlanItem:
    """A milestone in plain words. Moved: its date was changed; the reason is the one written for
    the person only (the professional's reason stays with the case team)."""
    move = last_move(milestone.history)
    return PlanItem(
        summary=milestone.plain_summary,
        status=item_status(status=milestone.status, due=milestone.due_date, today=today),
        due_date=milestone.due_date,
        worker=workers.get(milestone.accountable_id),
        moved=move is not None and milestone.status == ItemStatus.OPEN,
        reason=str(move.get("reason_for_person", "")) if move and milestone.status == ItemStatus.OPEN else "",
    )


def _workers(case: Case) -> dict[Any, Worker]:
    """The case team in plain words, by professional id. Team leads in oversight are the
    "manager of" the team members they lead on this case, not someone helping."""
    team: list[RoleAssignment] = case.active_assignments  # type: ignore[attr-defined]
    lead = next((a.professional for a in team if a.role == Role.LEAD_PROFESSIONAL), None)
    lead_name = lead.given_name if lead else gettext("your lead worker")
    workers: dict[Any, Worker] = {}
    for a in team:
        p: Professional = a.professional
        job = p.get_profession_display()
        if a.role == Role.TEAM_LEAD:
            led = [
                m.professional.full_name
                for m in team
                if m.professional.team_id
                and m.professional.team
                and m.professional.team.lead_id == p.pk
                and m.professional.pk != p.pk
            ]
            role = gettext("Manager of %(names)s") % {"names": ", ".join(led)} if led else gettext("Manager")
        elif a.role == Role.LEAD_PROFESSIONAL:
            role = gettext("%(job)s, your lead worker") % {"job": job}
        elif a.role == Role.KEY_WORKER:
            role = gettext("%(job)s, your key worker") % {"job": job}
        else:
            role = job
        is_lead = a.role == Role.LEAD_PROFESSIONAL
        contact = (
            gettext("Send a message on this site.")
            if is_lead
            else gettext("Ask %(name)s to put you in touch.") % {"name": lead_name}
        )
        workers[p.pk] = Worker(name=p.full_name, agency=p.agency.name, role=role, is_lead=is_lead, contact=contact)
    return workers


def _cases_of(person: Person) -> QuerySet[Case]:
    milestones = (
        Milestone.objects.exclude(status=ItemStatus.CANCELLED)
        .exclude(plain_summary="")
        .order_by("due_date", "created_at")
    )
    team = (
        RoleAssignment.objects.filter(ended_on__isnull=True)
        .select_related("professional__agency", "professional__team")
        .order_by("role", "professional__family_name")
    )
    reviews = Review.objects.filter(status=ItemStatus.OPEN).order_by("scheduled_for")
    return (
        Case.objects.filter(people=person, status=CaseStatus.OPEN)
        .select_related("lead_professional__agency")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.prefetch_related(Prefetch("milestones", queryset=milestones))),
            Prefetch("assignments", queryset=team, to_attr="active_assignments"),
            Prefetch("reviews", queryset=reviews, to_attr="open_reviews"),
        )
        .order_by("opened_at")
    )


def portal_plan(*, subject: PortalSubject, user: Any = None, request: Any = None) -> list[PortalPlan]:
    """The person's open cases in plain words. A constant number of queries however large
    the plan; audited as `portal.plan.viewed`."""
    audit_portal_read("portal.plan.viewed", subject=subject, user=user, request=request)
    today = timezone.localdate()
    plans = []
    cases = list(_cases_of(subject.person))
    meetings = family_next_meetings(case_ids=[c.pk for c in cases])
    for case in cases:
        workers = _workers(case)
        goals = [
            PlanGoal(
                summary=g.plain_summary,
                target_date=g.target_date,
                done=g.status == "achieved",
                items=[plan_item(m, today=today, workers=workers) for m in g.milestones.all()],
            )
            for g in case.goals.all()
            if g.plain_summary
        ]
        upcoming = [r for r in case.open_reviews if r.scheduled_for >= today]  # type: ignore[attr-defined]
        review = upcoming[0] if upcoming else None
        plans.append(
            PortalPlan(
                case=case,
                title=case.plain_title_or_default,
                goals=goals,
                workers=list(workers.values()),
                next_review=NextReview(on=review.scheduled_for, worker=workers.get(review.accountable_id))
                if review
                else None,
                lead=next((w for w in workers.values() if w.is_lead), None),
                next_meeting=meetings.get(case.pk),
            )
        )
    return plans


def portal_cases(*, subject: PortalSubject) -> QuerySet[Case]:
    """The person's open cases (for choosing whom a message or a rating is about)."""
    return (
        Case.objects.filter(people=subject.person, status=CaseStatus.OPEN)
        .select_related("lead_professional__agency")
        .order_by("opened_at")
    )


def portal_case_get(*, subject: PortalSubject, case_id: Any) -> Case:
    case = portal_cases(subject=subject).filter(pk=parse_uuid(case_id)).first()
    if case is None:
        raise Http404("Not found")
    return case


def message_thread(*, subject: PortalSubject, user: Any = None, request: Any = None) -> QuerySet[PortalMessage]:
    """The person's thread with their lead workers, oldest first; audited."""
    audit_portal_read("portal.messages.viewed", subject=subject, user=user, request=request)
    return (
        PortalMessage.objects.filter(person=subject.person)
        .select_related("author_professional", "case__lead_professional__agency")
        .order_by("created_at", "id")
    )


def feedback_latest(*, subject: PortalSubject) -> Feedback | None:
    return Feedback.objects.filter(person=subject.person).order_by("-created_at", "-id").first()


# --- The professional's side (the case page's portal section) --------------------------


@dataclass
class CasePortalView:
    plain_title: str
    hidden_items: list[Milestone]
    latest_feedback: Feedback | None
    feedback: list[Feedback]
    messages: list[PortalMessage]
    unanswered: int


def case_portal_view(*, case: Case, user: Any = None, request: Any = None) -> CasePortalView:
    """What the person sees and says, for the case team (the case was checked by
    cases.selectors.get_case_for): the plain title, the items the person cannot see yet
    (no plain summary), their latest rating and comments, and their messages. Reading the
    person's messages and comments is audited as `portal.case_view.viewed`."""
    feedback = list(Feedback.objects.filter(case=case).select_related("person").order_by("-created_at", "-id")[:5])
    messages = list(
        PortalMessage.objects.filter(case=case)
        .select_related("person", "author_professional")
        .order_by("-created_at", "-id")[:20]
    )
    messages.reverse()
    for pk in {m.person_id for m in messages} | {f.person_id for f in feedback}:
        audit_record(
            action="portal.case_view.viewed",
            actor=user,
            request=request,
            person=pk,
            case=case.pk,
            subject_type="case",
            subject_id=case.pk,
        )
    hidden = list(
        Milestone.objects.filter(case=case, plain_summary="")
        .filter(~Q(status=ItemStatus.CANCELLED))
        .order_by("due_date")
    )
    return CasePortalView(
        plain_title=case.plain_title_or_default,
        hidden_items=hidden,
        latest_feedback=feedback[0] if feedback else None,
        feedback=feedback,
        messages=messages,
        unanswered=sum(1 for m in messages if m.kind != MessageKind.REPLY and m.answered_at is None),
    )


@dataclass(frozen=True)
class AccessLogLine:
    at: date
    agency: str
    role: str
    reason: str
    times: int


def access_log_lines(*, subject: PortalSubject) -> list[AccessLogLine]:
    """Who has looked at the person's information (`sharing.selectors.access_log_entries_for`),
    one line per day, agency, role and reason with how many times, newest first: the portal's
    page and `/api/v1/me/access-log/`."""
    lines: dict[tuple[date, str, str, str], int] = {}
    # Reads under an override the reviewer cleared for telling are told to the person only.
    entries = sharing_selectors.access_log_entries_for(person=subject.person, with_overrides=subject.is_self)
    for e in entries:
        key = (timezone.localtime(e.at).date(), e.agency, e.role, e.reason)
        lines[key] = lines.get(key, 0) + 1
    return [AccessLogLine(at=k[0], agency=k[1], role=k[2], reason=k[3], times=n) for k, n in lines.items()]


def overrides_told(*, subject: PortalSubject) -> list[Any]:
    """The safeguarding overrides on the person's cases whose reviewer cleared telling them: told to
    the person themselves, never to whoever holds proxy access for them."""
    if not subject.is_self:
        return []
    return list(sharing_selectors.overrides_told_to(person=subject.person))


def journey_agencies(*, subject: PortalSubject) -> QuerySet[Agency]:
    """The agencies of the professionals now on the person's cases, by name (the sharing choices)."""
    return (
        Agency.objects.filter(
            professionals__assignments__case__people=subject.person, professionals__assignments__ended_on__isnull=True
        )
        .distinct()
        .order_by("name")
    )
