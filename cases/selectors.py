"""Every read of cases/, already filtered for the viewer through cases.sharing.

`get_case_for` is the gate for everything inside a case: 404 when the case is
not visible (so its existence does not leak), 403 when visible but the action
is not allowed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, TextField
from django.http import Http404
from django.utils import timezone

from accountability.models import AuditEvent
from accountability.services import audit_record, audit_record_many
from agencies.models import Agency, Professional
from agencies.selectors import is_admin, professional_for
from cases import sharing
from cases.models import (
    Case,
    CaseStatus,
    CaseUserObjectPermission,
    Category,
    Consent,
    ConsentDecision,
    Goal,
    ItemStatus,
    Milestone,
    Person,
    Record,
    Review,
    Role,
    RoleAssignment,
    SafeguardingAccess,
)
from cases.sql import RowSQL

DUE_SOON_DAYS = 7

VIEW = "view"
CONTRIBUTE = "contribute"
MANAGE = "manage"


@dataclass
class CaseAccess:
    """A visible case and what the viewer may do with it (computed once per request)."""

    case: Case
    professional: Professional
    perms: set[str] = field(default_factory=set)

    @property
    def can_contribute(self) -> bool:
        return CONTRIBUTE in self.perms

    @property
    def can_manage(self) -> bool:
        return MANAGE in self.perms

    def can_complete(self, item: Milestone | Review) -> bool:
        """The accountable professional or anyone who manages the case."""
        if self.case.status != CaseStatus.OPEN or item.status != ItemStatus.OPEN:
            return False
        return self.can_manage or item.accountable_id == self.professional.id

    def can_hand_over(self, item: Milestone | Review) -> bool:
        return self.can_complete(item)


def parse_uuid(value: Any) -> uuid.UUID:
    """A malformed id is just another id the caller cannot see: 404."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("Not found") from None


def _granted_expr(user: Any, codename: str) -> Exists:
    """True where `user` holds the django-guardian object permission on the case (read from
    the direct foreign-key table; case permissions are only ever granted to users, by the
    assignment service, never to groups)."""
    return Exists(
        CaseUserObjectPermission.objects.filter(content_object=OuterRef("pk"), user=user, permission__codename=codename)
    )


def _perms_for(case: Case) -> set[str]:
    perms = {VIEW}
    if case.status != CaseStatus.OPEN:
        return perms
    # annotations from get_case_for
    if getattr(case, "may_contribute", False):
        perms.add(CONTRIBUTE)
    if getattr(case, "may_manage", False) or getattr(case, "leads_member", False):
        perms |= {CONTRIBUTE, MANAGE}
    return perms


def get_case_for(*, user: Any, case_id: Any, perm: str = VIEW, request: Any = None) -> CaseAccess:
    """The case with the viewer's permissions; Http404 if not visible, PermissionDenied if
    visible but `perm` is not held. Refused access to an existing case is audited.
    One query: visibility and permissions are annotations on the case row."""
    pk = parse_uuid(case_id)
    professional = professional_for(user)
    case = None
    if professional is not None:
        case = sharing.case_with_access(
            professional,
            pk,
            annotations={
                "may_contribute": _granted_expr(user, "contribute_case"),
                "may_manage": _granted_expr(user, "manage_case"),
            },
        )
    if case is None or professional is None:
        if Case.objects.filter(pk=pk).exists():
            audit_record(action="cases.case.access_refused", actor=user, request=request, case=pk)
        raise Http404("Not found")
    access = CaseAccess(case=case, professional=professional, perms=_perms_for(case))
    if perm not in access.perms:
        raise PermissionDenied("You can see this case but not do that.")
    return access


def case_list_visible_to(
    *, user: Any, status: str | None = None, query: str = "", with_related: bool = True
) -> QuerySet[Case]:
    """The viewer's cases. With `with_related` the lead professional and people are
    loaded as objects (pages); without, the bare cases (`case_list_rows` builds on it)."""
    qs = sharing.cases_visible_to(professional_for(user))
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(reference__icontains=query))
    if not with_related:
        return qs
    return qs.select_related("lead_professional__agency").prefetch_related(
        Prefetch("people", queryset=Person.objects.order_by("family_name", "given_name"))
    )


CASE_LIST_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "lead_professional_id",
    "opened_at",
    "closed_at",
    "closure_reason",
)


class CasePeopleCsv(RowSQL):
    """The ids of the people the outer case row is about, comma-joined (unordered):
    a correlated aggregate over the link table, which PostgreSQL evaluates only for
    the rows of the page it returns."""

    def __init__(self, alias: str | None = None) -> None:
        super().__init__(model=Case, output_field=TextField(), alias=alias)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        q = connection.ops.quote_name
        link = q(Case.people.through._meta.db_table)
        joined = "string_agg(cp.{0}::text, ',')" if connection.vendor == "postgresql" else "group_concat(cp.{0}, ',')"
        aggregate = joined.format(q("person_id"))
        sql = f"(SELECT {aggregate} FROM {link} cp WHERE cp.{q('case_id')} = {self.outer(compiler)}.{q('id')})"  # noqa: S608
        return sql, ()


def case_list_rows(*, user: Any, status: str | None = None, query: str = "") -> QuerySet[Case, dict[str, Any]]:
    """The API list: the viewer's cases as plain rows (`CASE_LIST_FIELDS` plus
    `people_csv`, see `split_ids`), newest first, in one query with no model instances."""
    return (
        case_list_visible_to(user=user, status=status, query=query, with_related=False)
        .annotate(people_csv=CasePeopleCsv())
        .order_by("-opened_at", "id")
        .values(*CASE_LIST_FIELDS, "people_csv")
    )


def case_list_count(*, user: Any, status: str | None = None, query: str = "") -> int | None:
    """How many cases `case_list_rows` lists with these filters, counted without reading
    cases when there are none; None when filtered (count the filtered rows instead)."""
    if status in CaseStatus.values or query:
        return None
    return sharing.visible_case_count(professional_for(user))


def split_ids(csv: str | None) -> list[uuid.UUID]:
    """`case_list_rows`' people column as UUIDs in order (SQLite aggregates the 32-digit hex form)."""
    return sorted(uuid.UUID(part) for part in csv.split(",")) if csv else []


def case_team(*, case: Case, include_ended: bool = False) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.filter(case=case).select_related("professional__agency", "professional__team")
    if not include_ended:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "role", "professional__family_name")


def is_on_case_team(*, case: Case, professional: Professional) -> bool:
    return RoleAssignment.objects.filter(case=case, professional=professional, ended_on__isnull=True).exists()


def case_plan(*, case: Case) -> QuerySet[Goal]:
    """Goals with their milestones (and each milestone's accountable professional)."""
    milestones = Milestone.objects.select_related("accountable__agency").order_by("due_date", "created_at")
    return Goal.objects.filter(case=case).prefetch_related(Prefetch("milestones", queryset=milestones))


def case_reviews(*, case: Case) -> QuerySet[Review]:
    return Review.objects.filter(case=case).select_related("accountable__agency").order_by("scheduled_for")


def due_tag(due: date, today: date | None = None) -> str:
    """overdue / due_soon (within a week) / later."""
    today = today or timezone.localdate()
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "later"


@dataclass
class WorkItem:
    kind: str  # "milestone" | "review"
    id: uuid.UUID
    title: str
    due: date
    case: Case
    tag: str


def my_work(*, professional: Professional) -> list[WorkItem]:
    """Every open milestone and review I am accountable for on open cases, soonest first."""
    today = timezone.localdate()
    milestones = (
        Milestone.objects.filter(accountable=professional, status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
        .select_related("case")
        .only("id", "title", "due_date", "case__id", "case__reference", "case__title", "case__status")
    )
    reviews = (
        Review.objects.filter(accountable=professional, status=ItemStatus.OPEN, case__status=CaseStatus.OPEN)
        .select_related("case")
        .only("id", "kind", "scheduled_for", "case__id", "case__reference", "case__title", "case__status")
    )
    items = [WorkItem("milestone", m.id, m.title, m.due_date, m.case, due_tag(m.due_date, today)) for m in milestones]
    items += [
        WorkItem("review", r.id, r.get_kind_display(), r.scheduled_for, r.case, due_tag(r.scheduled_for, today))
        for r in reviews
    ]
    items.sort(key=lambda i: (i.due, i.kind, i.title))
    return items


def my_cases(*, professional: Professional) -> QuerySet[Case]:
    """Open cases I hold an active role on, with my role."""
    mine = RoleAssignment.objects.filter(case=OuterRef("pk"), professional=professional, ended_on__isnull=True)
    return (
        Case.objects.filter(Exists(mine), status=CaseStatus.OPEN)
        .annotate(my_role=mine.values("role")[:1])
        .select_related("lead_professional")
        .order_by("-opened_at")
    )


def team_overview(*, lead: Professional) -> QuerySet[Professional]:
    """Members of the teams I lead with counts of their overdue and due-soon items."""
    today = timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    open_m = Q(milestones__status=ItemStatus.OPEN, milestones__case__status=CaseStatus.OPEN)
    open_r = Q(reviews__status=ItemStatus.OPEN, reviews__case__status=CaseStatus.OPEN)
    return (
        Professional.objects.filter(team__lead=lead, is_active=True)
        .select_related("team", "agency")
        .annotate(
            overdue_milestones=Count("milestones", filter=open_m & Q(milestones__due_date__lt=today), distinct=True),
            soon_milestones=Count(
                "milestones",
                filter=open_m & Q(milestones__due_date__gte=today, milestones__due_date__lte=soon),
                distinct=True,
            ),
            overdue_reviews=Count("reviews", filter=open_r & Q(reviews__scheduled_for__lt=today), distinct=True),
            soon_reviews=Count(
                "reviews",
                filter=open_r & Q(reviews__scheduled_for__gte=today, reviews__scheduled_for__lte=soon),
                distinct=True,
            ),
        )
        .order_by("team__name", "family_name", "given_name")
    )


def team_due_items(*, lead: Professional) -> QuerySet[Milestone]:
    """Overdue and due-soon milestones of the members of my teams, soonest first."""
    soon = timezone.localdate() + timedelta(days=DUE_SOON_DAYS)
    return (
        Milestone.objects.filter(
            accountable__team__lead=lead,
            status=ItemStatus.OPEN,
            case__status=CaseStatus.OPEN,
            due_date__lte=soon,
        )
        .select_related("case", "accountable")
        .order_by("due_date")
    )


def leads_a_team(*, professional: Professional) -> bool:
    return professional.teams_led.exists()


def _milestone_or_review(
    model: type[Milestone] | type[Review], *, user: Any, item_id: Any, perm: str
) -> tuple[Any, CaseAccess]:
    pk = parse_uuid(item_id)
    case_id = model.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("Not found")
    access = get_case_for(user=user, case_id=case_id, perm=perm)
    item = model.objects.select_related("accountable__agency", "case").get(pk=pk)
    return item, access


def milestone_get_for(*, user: Any, milestone_id: Any, perm: str = VIEW) -> tuple[Milestone, CaseAccess]:
    return _milestone_or_review(Milestone, user=user, item_id=milestone_id, perm=perm)


def review_get_for(*, user: Any, review_id: Any, perm: str = VIEW) -> tuple[Review, CaseAccess]:
    return _milestone_or_review(Review, user=user, item_id=review_id, perm=perm)


def goal_get_in_case(*, case: Case, goal_id: Any) -> Goal | None:
    try:
        pk = parse_uuid(goal_id)
    except Http404:
        return None
    return Goal.objects.filter(case=case, pk=pk).first()


# --- People -------------------------------------------------------------------


def _on_a_case_visible_to(professional: Professional) -> Exists:
    """True where the outer person is on a case the professional may see."""
    links = Case.people.through
    visible = sharing.CaseVisible(professional_id=professional.pk, model=links, column="case_id")
    return Exists(links.objects.filter(visible, person_id=OuterRef("pk")))


def person_list_visible_to(*, user: Any) -> QuerySet[Person]:
    """People I registered, and the people of cases I can see."""
    professional = professional_for(user)
    if professional is None:
        return Person.objects.none()
    return Person.objects.filter(Q(registered_by=professional) | _on_a_case_visible_to(professional))


def person_get_for(*, user: Any, person_id: Any) -> Person:
    pk = parse_uuid(person_id)
    person = person_list_visible_to(user=user).filter(pk=pk).first()
    if person is None:
        raise Http404("Not found")
    return person


def person_can_manage_portal(*, user: Any, person: Person) -> bool:
    """The lead professional of one of the person's open cases, or an admin."""
    if is_admin(user):
        return True
    professional = professional_for(user)
    if professional is None:
        return False
    return person.cases.filter(lead_professional=professional, status=CaseStatus.OPEN).exists()


def role_choices_for_form() -> list[tuple[str, str]]:
    return list(Role.choices)


def person_for(user: Any) -> Person | None:
    """The person whose portal account this user is, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def person_get_for_portal_account(*, user: Any, person_id: Any) -> Person:
    """The person whose portal login the user wants to create: admins may address anyone;
    others 404 when the person is not visible to them, 403 unless they lead one of
    the person's open cases."""
    if is_admin(user):
        person = Person.objects.filter(pk=parse_uuid(person_id)).first()
        if person is None:
            raise Http404("Not found")
        return person
    person = person_get_for(user=user, person_id=person_id)
    if not person_can_manage_portal(user=user, person=person):
        raise PermissionDenied("Only the lead professional of the person's case or an admin can do this.")
    return person


def case_milestones(*, case: Case) -> QuerySet[Milestone]:
    """The case's milestones, soonest first (the case was checked by get_case_for)."""
    return Milestone.objects.filter(case=case).order_by("due_date", "created_at", "id")


# --- Records, consent, overrides and the audit trail (the sharing issue) -------
#
# Every read of a record goes through cases.sharing; nothing else filters records.


def _require_professional(user: Any) -> Professional:
    professional = professional_for(user)
    if professional is None:
        raise Http404("Not found")
    return professional


def _expire_overrides_of(professional: Professional) -> None:
    """Audit the end of the viewer's overrides that expired since their last read
    (the policy itself already ignores them: expiry is checked in SQL)."""
    from cases.services import safeguarding_access_expire_due

    if SafeguardingAccess.objects.filter(
        professional=professional, ended_at__isnull=True, expires_at__lte=timezone.now()
    ).exists():
        safeguarding_access_expire_due(professional=professional)


def _records_loaded(qs: QuerySet[Record]) -> QuerySet[Record]:
    return qs.select_related("author", "author_agency", "case").prefetch_related(
        Prefetch(
            "about",
            queryset=Person.objects.order_by("family_name", "given_name").only("id", "given_name", "family_name"),
        )
    )


def record_list_visible_to(*, user: Any, case: Case, query: str = "", category: str = "") -> QuerySet[Record]:
    """The case's records the viewer may see, newest first, each annotated with `basis`.
    Callers audit what they show with `record_reads_audit`."""
    professional = _require_professional(user)
    _expire_overrides_of(professional)
    qs = sharing.records_visible_to(professional, case=case)
    if query:
        qs = qs.filter(text__icontains=query)
    if category in Category.values:
        qs = qs.filter(category=category)
    return _records_loaded(qs).order_by("-created_at", "-id")


def record_search(*, user: Any, q: str) -> QuerySet[Record]:
    """Records matching `q` across every case the viewer can see (only what the policy allows)."""
    professional = _require_professional(user)
    q = (q or "").strip()
    if not q:
        return Record.objects.none()
    _expire_overrides_of(professional)
    return _records_loaded(sharing.records_visible_to(professional).filter(text__icontains=q)).order_by(
        "-created_at", "-id"
    )


def record_reads_audit(*, user: Any, records: Iterable[Record], action: str, request: Any = None) -> None:
    """One audit event per record and person it is about, with the basis of the read,
    in one INSERT; plus `cases.override.used` for each override a read relied on.
    `records` come from this module (annotated with `basis`, `about` prefetched)."""
    records = list(records)
    if not records:
        return
    basis_of = {r.pk: str(getattr(r, "basis", "") or "") for r in records}
    events: list[dict[str, Any]] = [
        {
            "action": action,
            "case": r.case_id,
            "person": p.pk,
            "subject_type": "record",
            "subject_id": r.pk,
            "subject_agency": r.author_agency_id,
            "basis": basis_of[r.pk],
        }
        for r in records
        for p in r.about.all()
    ]
    through_override: dict[tuple[Any, str], int] = {}
    for r in records:
        if basis_of[r.pk] == sharing.BASIS_OVERRIDE:
            key = (r.case_id, r.category)
            through_override[key] = through_override.get(key, 0) + 1
    if through_override:
        professional = _require_professional(user)
        cond = Q()
        for case_id, category in through_override:
            cond |= Q(case_id=case_id, category=category)
        for access in sharing.active_overrides(professional=professional, now=timezone.now()).filter(cond):
            events.append(
                {
                    "action": "cases.override.used",
                    "case": access.case_id,
                    "subject_type": "safeguarding_access",
                    "subject_id": access.id,
                    "basis": sharing.BASIS_OVERRIDE,
                    "detail": {
                        "category": access.category,
                        "records": through_override.get((access.case_id, access.category), 0),
                    },
                }
            )
    audit_record_many(events, actor=user, request=request)


def record_get_for(*, user: Any, record_id: Any, request: Any = None, audit: bool = True) -> Record:
    """One record, annotated with `basis`; Http404 when it does not exist or the viewer
    may not see it (refused access to an existing record is audited). A successful
    read is audited as `cases.record.viewed`."""
    pk = parse_uuid(record_id)
    professional = professional_for(user)
    record = None
    if professional is not None:
        _expire_overrides_of(professional)
        record = _records_loaded(sharing.records_visible_to(professional).filter(pk=pk)).first()
    if record is None:
        existing = Record.objects.filter(pk=pk).values("case_id", "author_agency_id").first()
        if existing is not None:
            audit_record(
                action="cases.record.access_refused",
                actor=user,
                request=request,
                case=existing["case_id"],
                subject_type="record",
                subject_id=pk,
                subject_agency=existing["author_agency_id"],
            )
        raise Http404("Not found")
    if audit:
        record_reads_audit(user=user, records=[record], action="cases.record.viewed", request=request)
    return record


def record_corrections(*, user: Any, record: Record) -> QuerySet[Record]:
    """Visible records that correct this one."""
    return _records_loaded(
        sharing.records_visible_to(_require_professional(user), case=record.case).filter(corrects=record)
    ).order_by("created_at")


RECORD_EXPORT_HEADER = [
    "id",
    "case",
    "created_at",
    "category",
    "about",
    "author",
    "author_agency",
    "corrects",
    "basis",
    "text",
]


def record_export_rows(*, user: Any, case: Case, request: Any = None) -> list[list[str]]:
    """CSV rows (header first) of every record of the case the viewer may see; each
    exported record is audited as `cases.record.exported`."""
    records = list(record_list_visible_to(user=user, case=case))
    record_reads_audit(user=user, records=records, action="cases.record.exported", request=request)
    rows = [RECORD_EXPORT_HEADER]
    for r in records:
        rows.append(
            [
                str(r.id),
                case.reference,
                r.created_at.isoformat(),
                r.category,
                "; ".join(p.full_name for p in r.about.all()),
                r.author.full_name,
                r.author_agency.name,
                str(r.corrects_id or ""),
                str(getattr(r, "basis", "")),
                r.text,
            ]
        )
    return rows


# --- Consent --------------------------------------------------------------------


def consent_person_get_for(*, user: Any, person_id: Any) -> Person:
    """The person whose consents the user may read and record: the person themself
    (portal account), or a professional who can see one of the person's cases."""
    pk = parse_uuid(person_id)
    if getattr(user, "is_authenticated", False):
        own = Person.objects.filter(pk=pk, user=user).first()
        if own is not None:
            return own
    professional = professional_for(user)
    if professional is not None:
        person = Person.objects.filter(pk=pk).filter(_on_a_case_visible_to(professional)).first()
        if person is not None:
            return person
    raise Http404("Not found")


def consent_agency_choices() -> QuerySet[Agency]:
    """Agencies a consent may name (directory data, visible to everyone signed in)."""
    return Agency.objects.order_by("name")


def today() -> date:
    return timezone.localdate()


def consent_list_for(*, person: Person) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person).select_related("agency", "recorded_by").order_by("-created_at")


def consent_get_for(*, user: Any, consent_id: Any) -> Consent:
    pk = parse_uuid(consent_id)
    person_id = Consent.objects.filter(pk=pk).values_list("person_id", flat=True).first()
    if person_id is None:
        raise Http404("Not found")
    consent_person_get_for(user=user, person_id=person_id)
    return Consent.objects.select_related("person", "agency").get(pk=pk)


SHARED = "shared"
NOT_SHARED = "not_shared"
REFUSED = "refused"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
CONSENT_STATES = {
    SHARED: "Shared",
    NOT_SHARED: "Not shared",
    REFUSED: "Refused",
    EXPIRED: "Expired",
    WITHDRAWN: "Withdrawn",
}


def consent_state(consent: Consent, today: date) -> str:
    if consent.withdrawn_at is not None:
        return WITHDRAWN
    if consent.decision == ConsentDecision.REFUSED:
        return REFUSED
    if consent.valid_until is not None and consent.valid_until < today:
        return EXPIRED
    if consent.valid_from > today:
        return NOT_SHARED
    return SHARED


@dataclass
class ConsentGridRow:
    category: str
    label: str
    cells: list[tuple[Agency, str]]


@dataclass
class ConsentGrid:
    person: Person
    agencies: list[Agency]
    rows: list[ConsentGridRow]
    consents: list[Consent]


def consent_grid(*, case: Case, today: date | None = None) -> list[ConsentGrid]:
    """Per person of the case: category × agency -> shared / not shared / refused /
    expired / withdrawn. Agencies are those on the case team plus any named in a
    consent. A cell is `shared` when any consent is in force; otherwise the state of
    the most recent decision. Three queries whatever the number of consents."""
    people = list(case.people.order_by("family_name", "given_name"))
    team_agencies = Agency.objects.filter(
        professionals__assignments__case=case, professionals__assignments__ended_on__isnull=True
    ).distinct()
    return _grids(people, team_agencies, today or timezone.localdate())


def person_consent_grid(*, person: Person, today: date | None = None) -> ConsentGrid:
    """The same grid for one person across all their cases (the person's own view)."""
    team_agencies = Agency.objects.filter(
        professionals__assignments__case__people=person, professionals__assignments__ended_on__isnull=True
    ).distinct()
    return _grids([person], team_agencies, today or timezone.localdate())[0]


def _grids(people: list[Person], team_agencies: QuerySet[Agency], today: date) -> list[ConsentGrid]:
    consents = list(Consent.objects.filter(person__in=people).select_related("agency").order_by("created_at", "id"))
    agencies = {a.pk: a for a in team_agencies}
    for c in consents:
        agencies.setdefault(c.agency_id, c.agency)
    ordered = sorted(agencies.values(), key=lambda a: a.name)
    grids = []
    for person in people:
        mine = [c for c in consents if c.person_id == person.pk]
        state: dict[tuple[str, Any], str] = {}
        for c in mine:  # oldest first: the latest decision wins, unless one is in force
            key = (c.category, c.agency_id)
            if state.get(key) != SHARED:
                state[key] = consent_state(c, today)
        rows = [
            ConsentGridRow(
                category=value,
                label=label,
                cells=[(a, state.get((value, a.pk), NOT_SHARED)) for a in ordered],
            )
            for value, label in Category.choices
            if value != Category.GENERAL
        ]
        grids.append(ConsentGrid(person=person, agencies=ordered, rows=rows, consents=list(reversed(mine))))
    return grids


def overrides_told_to(*, person: Person) -> QuerySet[SafeguardingAccess]:
    """Overrides on the person's cases that the reviewer said the person may be told about."""
    return (
        SafeguardingAccess.objects.filter(case__people=person, person_may_be_told=True)
        .exclude(outcome="")
        .select_related("professional__agency", "case")
        .order_by("-started_at")
    )


# --- Safeguarding overrides ---------------------------------------------------------


def overrides_active_for(*, user: Any, case: Case | None = None) -> QuerySet[SafeguardingAccess]:
    """The viewer's overrides in force now (the banner)."""
    professional = professional_for(user)
    if professional is None:
        return SafeguardingAccess.objects.none()
    qs = sharing.active_overrides(professional=professional, now=timezone.now())
    if case is not None:
        qs = qs.filter(case=case)
    return qs.select_related("case").order_by("expires_at")


def is_information_governance_lead(*, user: Any) -> bool:
    professional = professional_for(user)
    return professional is not None and Agency.objects.filter(information_governance_lead=professional).exists()


def override_review_queue(*, user: Any, include_reviewed: bool = False) -> QuerySet[SafeguardingAccess]:
    """Overrides taken by staff of the agencies whose IG lead the viewer is, unreviewed
    first and soonest due first."""
    professional = professional_for(user)
    if professional is None:
        return SafeguardingAccess.objects.none()
    qs = SafeguardingAccess.objects.filter(professional__agency__information_governance_lead=professional)
    if not include_reviewed:
        qs = qs.filter(outcome="")
    return qs.select_related("case", "professional__agency", "reviewed_by").order_by(
        "-outcome", "review_due", "started_at"
    )


def override_get_for_review(*, user: Any, access_id: Any) -> SafeguardingAccess:
    pk = parse_uuid(access_id)
    access = override_review_queue(user=user, include_reviewed=True).filter(pk=pk).first()
    if access is None:
        raise Http404("Not found")
    return access


def override_get_for_holder(*, user: Any, access_id: Any) -> SafeguardingAccess:
    pk = parse_uuid(access_id)
    professional = _require_professional(user)
    access = SafeguardingAccess.objects.filter(pk=pk, professional=professional).select_related("case").first()
    if access is None:
        raise Http404("Not found")
    return access


# --- The audit trail ------------------------------------------------------------------


AUDIT_FILTERS = ("case", "person", "actor", "action", "from", "to")
AUDIT_EXPORT_LIMIT = 50_000


def can_read_audit(*, user: Any) -> bool:
    return is_admin(user) or is_information_governance_lead(user=user)


def audit_list_visible_to(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    """Admins read every event; an information-governance lead reads events whose actor
    belongs to their agency and events about records their agency wrote. Everyone else
    reads nothing (the views answer 403). Filters: case, person, actor (UUIDs), action
    (exact code, or a prefix ending in '.'), from / to (dates, inclusive, TIME_ZONE).
    A malformed filter matches nothing rather than everything."""
    if is_admin(user):
        qs = AuditEvent.objects.all()
    else:
        professional = professional_for(user)
        if professional is None:
            return AuditEvent.objects.none()
        agency_ids = list(Agency.objects.filter(information_governance_lead=professional).values_list("pk", flat=True))
        if not agency_ids:
            return AuditEvent.objects.none()
        qs = AuditEvent.objects.filter(Q(actor_agency__in=agency_ids) | Q(subject_agency__in=agency_ids))
    filters = filters or {}
    for name in ("case", "person", "actor"):
        value = filters.get(name)
        if value:
            try:
                qs = qs.filter(**{name: uuid.UUID(str(value))})
            except ValueError:
                return AuditEvent.objects.none()
    action = (filters.get("action") or "").strip()
    if action:
        qs = qs.filter(action__startswith=action) if action.endswith(".") else qs.filter(action=action)
    tz = timezone.get_current_timezone()
    for name, lookup, shift in (("from", "at__gte", 0), ("to", "at__lt", 1)):
        value = filters.get(name)
        if value:
            try:
                day = value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError:
                return AuditEvent.objects.none()
            start = datetime.combine(day + timedelta(days=shift), time.min, tzinfo=tz)
            qs = qs.filter(**{lookup: start})
    return qs.order_by("-at", "-id")


AUDIT_EXPORT_HEADER = [
    "at",
    "action",
    "actor",
    "actor_name",
    "actor_agency",
    "person",
    "case",
    "subject_type",
    "subject_id",
    "subject_agency",
    "basis",
    "ip",
]


def audit_export_rows(*, events: Iterable[AuditEvent]) -> Iterable[list[str]]:
    yield AUDIT_EXPORT_HEADER
    for e in events:
        yield [
            e.at.isoformat(),
            e.action,
            str(e.actor or ""),
            e.actor_name,
            str(e.actor_agency or ""),
            str(e.person or ""),
            str(e.case or ""),
            e.subject_type,
            str(e.subject_id or ""),
            str(e.subject_agency or ""),
            e.basis,
            e.ip or "",
        ]


# --- Page helpers ---------------------------------------------------------------


def item_tag(*, status: str, due: date, today: date | None = None) -> str:
    """The status tag of a milestone or review: done / cancelled, else its due tag."""
    if status == ItemStatus.COMPLETED:
        return "done"
    if status == ItemStatus.CANCELLED:
        return "cancelled"
    return due_tag(due, today)


def case_team_professionals(*, case: Case) -> QuerySet[Professional]:
    """Professionals actively on the case team (who may be made accountable)."""
    on_team = RoleAssignment.objects.filter(case=case, professional=OuterRef("pk"), ended_on__isnull=True)
    return Professional.objects.filter(Exists(on_team)).select_related("agency").order_by("family_name", "given_name")


def assignment_get_in_case(*, case: Case, assignment_id: Any) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.filter(case=case, pk=parse_uuid(assignment_id))
        .select_related("professional__agency", "case")
        .first()
    )
    if assignment is None:
        raise Http404("Not found")
    return assignment


def person_search_visible_to(*, user: Any, query: str = "") -> QuerySet[Person]:
    qs = person_list_visible_to(user=user)
    for word in query.split()[:5]:
        qs = qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return qs.order_by("family_name", "given_name", "id")


def person_read(*, user: Any, person_id: Any, request: Any = None) -> Person:
    """A person's page: visible as for `person_get_for`, and every read is audited."""
    person = person_get_for(user=user, person_id=person_id)
    audit_record(
        action="cases.person.viewed",
        actor=user,
        request=request,
        person=person.id,
        subject_type="person",
        subject_id=person.id,
    )
    return person


def person_cases_visible_to(*, user: Any, person: Person) -> QuerySet[Case]:
    """The person's cases that the viewer may see."""
    return (
        sharing.cases_visible_to(professional_for(user))
        .filter(people=person)
        .select_related("lead_professional__agency")
        .order_by("-opened_at")
    )
