"""Every read of sharing/, already filtered for the viewer through sharing.policy
(records) and cases.visibility (cases): records, consents, overrides and the
audit trail.

Floor 5. May use: cases, accountability, agencies, audit. Never plans.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Professional
from agencies.selectors import governed_agency_ids, is_admin, is_information_governance_lead, professional_for
from agencies.validation import date_within_range
from audit.models import AuditEvent, AuditVerification
from audit.reads import AuditedRead
from audit.seal import last_verification
from audit.services import audit_record, audit_record_many
from cases.models import Case, Person
from cases.selectors import on_a_case_visible_to, parse_uuid, proxy_for
from sharing import policy
from sharing.models import (
    Category,
    Consent,
    ConsentDecision,
    Record,
    SafeguardingAccess,
    SubjectAccessRequest,
    SubjectAccessStatus,
)
from sharing.services import safeguarding_access_expire_due
from sharing.trail import filters_for_audit, trail_export


def _require_professional(user: Any) -> Professional:
    professional = professional_for(user)
    if professional is None:
        raise Http404("Not found")
    return professional


def _expire_overrides_of(professional: Professional) -> None:
    """Audit the end of the viewer's overrides that expired since their last read
    (the policy itself already ignores them: expiry is checked in SQL)."""
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


def _audited(qs: QuerySet[Record], *, user: Any, action: str, request: Any) -> AuditedRead[Record]:
    """Records as the caller reads them: each row read (a page, a slice, an export) is
    audited with its basis by `_audit_record_reads`, here, whoever the caller is."""
    return AuditedRead(qs, lambda rows: _audit_record_reads(user=user, records=rows, action=action, request=request))


def record_list_visible_to(
    *,
    user: Any,
    case: Case,
    query: str = "",
    category: str = "",
    action: str = "cases.record.listed",
    request: Any = None,
) -> AuditedRead[Record]:
    """The case's records the viewer may see, newest first, each annotated with `basis`.
    The rows read are audited as `action` (listed; exported for the CSV)."""
    professional = _require_professional(user)
    _expire_overrides_of(professional)
    qs = policy.records_visible_to(professional, case=case)
    if query:
        qs = qs.filter(text__icontains=query)
    if category in Category.values:
        qs = qs.filter(category=category)
    return _audited(_records_loaded(qs).order_by("-created_at", "-id"), user=user, action=action, request=request)


def record_search(*, user: Any, q: str, request: Any = None) -> AuditedRead[Record]:
    """Records matching `q` across every case the viewer can see (only what the policy
    allows); the rows read are audited as listed."""
    professional = _require_professional(user)
    q = (q or "").strip()
    if not q:
        return _audited(Record.objects.none(), user=user, action="cases.record.listed", request=request)
    _expire_overrides_of(professional)
    qs = _records_loaded(policy.records_visible_to(professional).filter(text__icontains=q)).order_by(
        "-created_at", "-id"
    )
    return _audited(qs, user=user, action="cases.record.listed", request=request)


def _audit_record_reads(*, user: Any, records: Iterable[Record], action: str, request: Any = None) -> None:
    """One audit event per record and person it is about, with the basis of the read,
    in one INSERT; plus `cases.override.used` for each override a read relied on.
    `records` come from this module (annotated with `basis`, `about` prefetched)."""
    records = list(records)
    if not records:
        return
    basis_of = {r.pk: str(getattr(r, "basis", "") or "") for r in records}
    through_override: dict[tuple[Any, str], int] = {}
    for r in records:
        if basis_of[r.pk] == policy.BASIS_OVERRIDE:
            key = (r.case_id, r.category)
            through_override[key] = through_override.get(key, 0) + 1
    overrides: list[SafeguardingAccess] = []
    if through_override:
        cond = Q()
        for case_id, category in through_override:
            cond |= Q(case_id=case_id, category=category)
        overrides = list(
            policy.active_overrides(professional=_require_professional(user), now=timezone.now()).filter(cond)
        )
    override_of = {(a.case_id, a.category): str(a.id) for a in overrides}

    def detail(r: Record) -> dict[str, Any]:
        # A read under an override names it, so its review lists exactly the records it opened.
        if basis_of[r.pk] == policy.BASIS_OVERRIDE and (r.case_id, r.category) in override_of:
            return {"override": override_of[(r.case_id, r.category)]}
        return {}

    events: list[dict[str, Any]] = [
        {
            "action": action,
            "case": r.case_id,
            "person": p.pk,
            "subject_type": "record",
            "subject_id": r.pk,
            "subject_agency": r.author_agency_id,
            "basis": basis_of[r.pk],
            "detail": detail(r),
        }
        for r in records
        for p in r.about.all()
    ]
    for access in overrides:
        events.append(
            {
                "action": "cases.override.used",
                "case": access.case_id,
                "subject_type": "safeguarding_access",
                "subject_id": access.id,
                "basis": policy.BASIS_OVERRIDE,
                "detail": {
                    "category": access.category,
                    "records": through_override.get((access.case_id, access.category), 0),
                },
            }
        )
    audit_record_many(events, actor=user, request=request)


def record_reads_audit(
    *, user: Any, case: Case, record_ids: Iterable[Any], action: str = "cases.record.viewed", request: Any = None
) -> None:
    """Audit reads of these records of one case made elsewhere (a meeting's views, shown once
    it opens, are records): each with the basis the policy gives the reader now, overrides
    linked as for any record read, in one INSERT. For records the caller already checked the
    reader may see; any other id is left out."""
    record_ids = list(record_ids)
    professional = professional_for(user)
    if not record_ids or professional is None:
        return
    _expire_overrides_of(professional)
    rows = _records_loaded(policy.records_visible_to(professional, case=case).filter(pk__in=record_ids))
    _audit_record_reads(user=user, records=rows, action=action, request=request)


def record_get_for(*, user: Any, record_id: Any, request: Any = None, audit: bool = True) -> Record:
    """One record, annotated with `basis`; Http404 when it does not exist or the viewer
    may not see it (refused access to an existing record is audited). A successful
    read is audited as `cases.record.viewed`."""
    pk = parse_uuid(record_id)
    professional = professional_for(user)
    record = None
    if professional is not None:
        _expire_overrides_of(professional)
        record = _records_loaded(policy.records_visible_to(professional).filter(pk=pk)).first()
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
        _audit_record_reads(user=user, records=[record], action="cases.record.viewed", request=request)
    return record


def record_corrections(*, user: Any, record: Record, request: Any = None) -> AuditedRead[Record]:
    """Visible records that correct this one (the rows read audited as listed)."""
    qs = _records_loaded(
        policy.records_visible_to(_require_professional(user), case=record.case).filter(corrects=record)
    ).order_by("created_at")
    return _audited(qs, user=user, action="cases.record.listed", request=request)


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
    records = list(record_list_visible_to(user=user, case=case, action="cases.record.exported", request=request))
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


def consent_person_get_for(*, user: Any, person_id: Any) -> Person:
    """The person whose consents the user may read and record: the person themself
    (portal account), or a professional who can see one of the person's cases."""
    pk = parse_uuid(person_id)
    if getattr(user, "is_authenticated", False):
        own = Person.objects.filter(pk=pk, user=user).first()
        if own is not None:
            return own
        proxy = proxy_for(user=user, person_id=pk) if professional_for(user) is None else None
        if proxy is not None and proxy.scope == "plan_and_consents":
            return proxy.person
    professional = professional_for(user)
    if professional is not None:
        person = Person.objects.filter(pk=pk).filter(on_a_case_visible_to(professional)).first()
        if person is not None:
            return person
    raise Http404("Not found")


def consent_agency_choices() -> QuerySet[Agency]:
    """Agencies a consent may name (directory data, visible to everyone signed in)."""
    return Agency.objects.order_by("name")


def today() -> date:
    return timezone.localdate()


def _audit_consent_reads(*, user: Any, person_ids: Iterable[Any], request: Any) -> None:
    """One `cases.consent.listed` event per person whose consent decisions were read."""
    person_ids = list(person_ids)
    own = getattr(user, "pk", None)
    selves: set[Any] = set()
    if own and professional_for(user) is None:  # a portal account may be reading their own decisions
        selves = set(Person.objects.filter(pk__in=person_ids, user_id=own).values_list("pk", flat=True))
    audit_record_many(
        (
            {
                "action": "cases.consent.listed",
                "person": pk,
                "subject_type": "person",
                "subject_id": pk,
                "basis": "self" if pk in selves else "",
            }
            for pk in person_ids
        ),
        actor=user,
        request=request,
    )


def consent_list_for(*, user: Any, person: Person, request: Any = None) -> AuditedRead[Consent]:
    """The person's consent decisions, newest first (the caller passed the person through
    `consent_person_get_for`); reading them is audited as `cases.consent.listed`."""
    qs = (
        Consent.objects.filter(person=person)
        .annotate(is_superseded=_superseded(timezone.localdate()))
        .select_related("agency", "recorded_by__agency")
        .order_by("-created_at", "-id")
    )
    return AuditedRead(qs, lambda rows: _audit_consent_reads(user=user, person_ids=[person.pk], request=request))


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
NOT_YET = "not_yet"
SUPERSEDED = "superseded"

CONSENT_STATES = {
    SHARED: "Shared",
    NOT_SHARED: "Not shared",
    REFUSED: "Refused",
    EXPIRED: "Expired",
    WITHDRAWN: "Withdrawn",
    NOT_YET: "Not yet in force",
    SUPERSEDED: "Superseded",
}


def _in_force(consent: Consent, today: date) -> bool:
    return consent.valid_from <= today and (consent.valid_until is None or consent.valid_until >= today)


def _order(consent: Consent) -> tuple[Any, str]:
    return (consent.created_at, str(consent.pk))


def consent_states(consents: Iterable[Consent], today: date) -> dict[Any, str]:
    """The state of each decision among all of one person's decisions (DESIGN: the latest
    decision in force per category and agency decides, as in sharing.policy):
    withdrawn, expired, not_yet, superseded (a later decision in force exists), else
    shared (given) or refused."""
    consents = list(consents)
    deciding: dict[tuple[Any, ...], Consent] = {}
    for c in consents:
        key = (c.person_id, c.category, c.agency_id)
        if _in_force(c, today) and (key not in deciding or _order(c) > _order(deciding[key])):
            deciding[key] = c
    states: dict[Any, str] = {}
    for c in consents:
        if c.withdrawn_at is not None:
            states[c.pk] = WITHDRAWN
        elif c.valid_until is not None and c.valid_until < today:
            states[c.pk] = EXPIRED
        elif c.valid_from > today:
            states[c.pk] = NOT_YET
        elif deciding[(c.person_id, c.category, c.agency_id)].pk != c.pk:
            states[c.pk] = SUPERSEDED
        else:
            states[c.pk] = REFUSED if c.decision == ConsentDecision.REFUSED else SHARED
    return states


def _superseded(today: date) -> Exists:
    """True where a decision recorded after the outer one, for the same person, category
    and agency, is in force today."""
    later = Consent.objects.filter(
        person_id=OuterRef("person_id"),
        category=OuterRef("category"),
        agency_id=OuterRef("agency_id"),
        valid_from__lte=today,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    later = later.filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id"))
    )
    return Exists(later)


def consent_state(consent: Consent, today: date | None = None) -> str:
    """One decision's state among the person's decisions for the same category and agency:
    from its `is_superseded` annotation (`consent_list_for`), else with one query."""
    today = today or timezone.localdate()
    superseded = getattr(consent, "is_superseded", None)
    if superseded is None:
        superseded = Consent.objects.filter(pk=consent.pk).filter(_superseded(today)).exists()
    if consent.withdrawn_at is not None:
        return WITHDRAWN
    if consent.valid_until is not None and consent.valid_until < today:
        return EXPIRED
    if consent.valid_from > today:
        return NOT_YET
    if superseded:
        return SUPERSEDED
    return REFUSED if consent.decision == ConsentDecision.REFUSED else SHARED


def _cell_state(decisions: list[Consent], states: dict[Any, str], today: date) -> str:
    """A grid cell: the state of the decision in force that decides (shared, refused or
    withdrawn); with none in force, that of the latest decision (expired, not yet)."""
    in_force = [c for c in decisions if _in_force(c, today)]
    if in_force:
        return states[max(in_force, key=_order).pk]
    if not decisions:
        return NOT_SHARED
    return states[max(decisions, key=_order).pk]


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


def consent_grid(*, user: Any, case: Case, today: date | None = None, request: Any = None) -> list[ConsentGrid]:
    """Per person of the case: category × agency -> shared / not shared / refused /
    withdrawn / expired / not yet. Agencies are those on the case team plus any named in a
    consent. A cell is the state of the latest decision in force (as in sharing.policy);
    with none in force, that of the latest decision. Three queries whatever the number
    of consents."""
    people = list(case.people.order_by("family_name", "given_name"))
    team_agencies = Agency.objects.filter(
        professionals__assignments__case=case, professionals__assignments__ended_on__isnull=True
    ).distinct()
    grids = _grids(people, team_agencies, today or timezone.localdate())
    _audit_consent_reads(user=user, person_ids=[p.pk for p in people], request=request)
    return grids


def person_consent_grid(*, user: Any, person: Person, today: date | None = None, request: Any = None) -> ConsentGrid:
    """The same grid for one person across all their cases (the person's own view, or a
    professional's who may see one of the person's cases); the read is audited."""
    team_agencies = Agency.objects.filter(
        professionals__assignments__case__people=person, professionals__assignments__ended_on__isnull=True
    ).distinct()
    grid = _grids([person], team_agencies, today or timezone.localdate())[0]
    _audit_consent_reads(user=user, person_ids=[person.pk], request=request)
    return grid


def _grids(people: list[Person], team_agencies: QuerySet[Agency], today: date) -> list[ConsentGrid]:
    consents = list(
        Consent.objects.filter(person__in=people)
        .select_related("agency", "recorded_by__agency")
        .order_by("created_at", "id")
    )
    agencies = {a.pk: a for a in team_agencies}
    for c in consents:
        agencies.setdefault(c.agency_id, c.agency)
    ordered = sorted(agencies.values(), key=lambda a: a.name)
    grids = []
    for person in people:
        mine = [c for c in consents if c.person_id == person.pk]
        states = consent_states(mine, today)
        by_key: dict[tuple[str, Any], list[Consent]] = {}
        for c in mine:
            by_key.setdefault((c.category, c.agency_id), []).append(c)
        state = {key: _cell_state(decisions, states, today) for key, decisions in by_key.items()}
        for c in mine:
            c.state = states[c.pk]  # type: ignore[attr-defined]
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


def overrides_active_for(*, user: Any, case: Case | None = None) -> QuerySet[SafeguardingAccess]:
    """The viewer's overrides in force now (the banner)."""
    professional = professional_for(user)
    if professional is None:
        return SafeguardingAccess.objects.none()
    qs = policy.active_overrides(professional=professional, now=timezone.now())
    if case is not None:
        qs = qs.filter(case=case)
    return qs.select_related("case").order_by("expires_at")


def override_review_queue(*, user: Any, include_reviewed: bool = False) -> QuerySet[SafeguardingAccess]:
    """The overrides the viewer must review: those assigned to them and, for admins, the
    administrators' queue (no IG lead but the holder could review them). Unreviewed first,
    soonest due first."""
    professional = professional_for(user)
    where = Q(pk__in=[])
    if professional is not None:
        where |= Q(reviewer=professional)
    if is_admin(user):
        where |= Q(review_by_admins=True)
    qs = SafeguardingAccess.objects.filter(where)
    if professional is not None:
        qs = qs.exclude(professional=professional)  # nobody reviews their own override
    if not include_reviewed:
        qs = qs.filter(outcome="")
    return qs.select_related("case", "professional__agency", "reviewer", "reviewed_by").order_by(
        "-outcome", "review_due", "started_at"
    )


def overrides_visible_to(*, user: Any, review: str = "") -> QuerySet[SafeguardingAccess]:
    """The overrides the caller holds or must review (admins: every override); with
    `review="pending"` only those not yet reviewed."""
    professional = professional_for(user)
    if is_admin(user):
        qs = SafeguardingAccess.objects.all()
    elif professional is None:
        return SafeguardingAccess.objects.none()
    else:
        qs = SafeguardingAccess.objects.filter(Q(professional=professional) | Q(reviewer=professional))
    if review == "pending":
        qs = qs.filter(outcome="")
    return qs.select_related("case", "professional__agency", "reviewer", "reviewed_by").order_by("-started_at", "-id")


def override_get_for(*, user: Any, access_id: Any) -> SafeguardingAccess:
    """One override the caller holds or must review (admins: any); Http404 otherwise."""
    access = overrides_visible_to(user=user).filter(pk=parse_uuid(access_id)).first()
    if access is None:
        raise Http404("Not found")
    return access


def override_get_to_review(*, access_id: Any) -> SafeguardingAccess:
    """The override a review is posted to, whoever posts it (Http404 only when it does not
    exist): the service answers 403 to anyone but its reviewer or an admin."""
    access = SafeguardingAccess.objects.filter(pk=parse_uuid(access_id)).select_related("professional").first()
    if access is None:
        raise Http404("Not found")
    return access


@dataclass(frozen=True)
class RecordOpened:
    record: Any
    at: datetime
    category: str
    action: str


def override_records_opened(*, access: SafeguardingAccess) -> list[RecordOpened]:
    """Exactly the records the holder read under this override (each read's time and
    category), from the audit events that name it; oldest first."""
    rows = (
        AuditEvent.objects.filter(
            case=access.case_id,
            actor=access.professional_id,
            subject_type="record",
            basis=policy.BASIS_OVERRIDE,
            at__gte=access.started_at,
        )
        .filter(detail__override=str(access.id))
        .order_by("at", "id")
        .values_list("subject_id", "at", "action")
    )
    opened: dict[tuple[Any, Any, str], RecordOpened] = {}
    for record_id, at, action in rows:  # one event per person the record is about: one line per read
        opened.setdefault((record_id, at, action), RecordOpened(record_id, at, access.category, action))
    return list(opened.values())


@dataclass(frozen=True)
class RecordOpenedLine:
    at: datetime
    how: str
    category: str
    written_by: str
    written_on: datetime | None
    people: list[str]


_HOW = {"cases.record.viewed": "Opened", "cases.record.exported": "Exported", "cases.record.listed": "Seen in a list"}


def override_records_opened_for(
    *, user: Any, access: SafeguardingAccess, request: Any = None
) -> list[RecordOpenedLine]:
    """The records read under the override (`override_records_opened`), each with when and
    how it was read, its category, the agency that wrote it and the people it is about (no
    record text). The caller passed the override through `override_get_for`; reading this
    part of the audit trail is audited as `audit.trail.viewed`. Three queries."""
    opened = override_records_opened(access=access)
    records = {
        r.pk: r
        for r in Record.objects.filter(pk__in={o.record for o in opened})
        .select_related("author_agency")
        .prefetch_related(Prefetch("about", queryset=Person.objects.only("id", "given_name", "family_name")))
        .only("id", "category", "created_at", "author_agency__name")
    }
    lines = []
    for o in opened:
        r = records.get(o.record)
        lines.append(
            RecordOpenedLine(
                at=o.at,
                how=_HOW.get(o.action, o.action),
                category=Category(r.category).label if r is not None else Category(o.category).label,
                written_by=r.author_agency.name if r is not None else "",
                written_on=r.created_at if r is not None else None,
                people=sorted(p.full_name for p in r.about.all()) if r is not None else [],
            )
        )
    audit_record(
        action=AUDIT_TRAIL_VIEWED,
        actor=user,
        request=request,
        case=access.case_id,
        subject_type="safeguarding_access",
        subject_id=access.pk,
        basis="admin" if is_admin(user) else "own_agency",
        detail={"events": len(opened), "filters": {"override": str(access.pk)}},
    )
    return lines


def override_get_for_holder(*, user: Any, access_id: Any) -> SafeguardingAccess:
    pk = parse_uuid(access_id)
    professional = _require_professional(user)
    access = SafeguardingAccess.objects.filter(pk=pk, professional=professional).select_related("case").first()
    if access is None:
        raise Http404("Not found")
    return access


AUDIT_FILTERS = ("case", "person", "actor", "action", "from", "to")


AUDIT_EXPORT_LIMIT = 50_000


def audit_last_verification() -> AuditVerification | None:
    """The last `audit_verify` result, for the IG pages."""
    return last_verification()


def can_read_audit(*, user: Any) -> bool:
    return is_admin(user) or is_information_governance_lead(user=user)


AUDIT_TRAIL_VIEWED = "audit.trail.viewed"
AUDIT_TRAIL_EXPORTED = "audit.trail.exported"


def audit_list_visible_to(
    *,
    user: Any,
    filters: dict[str, Any] | None = None,
    action: str = AUDIT_TRAIL_VIEWED,
    request: Any = None,
    nothing: bool = False,
) -> AuditedRead[AuditEvent]:
    """The audit trail as the caller may read it (`audit_events_visible_to`); reading it is
    itself audited: each page or export read writes one `action` event (viewed, or
    exported for the CSV) naming the filters (identifiers, codes and dates only) and the
    number of events read, with the person and case filtered on. `nothing`: a bad filter
    form, which reads no event."""
    qs = AuditEvent.objects.none() if nothing else audit_events_visible_to(user=user, filters=filters)
    filters = filters or {}
    basis = "admin" if is_admin(user) else "own_agency"

    def audit(rows: list[AuditEvent]) -> None:
        audit_record(
            action=action,
            actor=user,
            request=request,
            person=_uuid_or_none(filters.get("person")),
            case=_uuid_or_none(filters.get("case")),
            subject_type="audit_trail",
            basis=basis,
            detail={"events": len(rows), "filters": filters_for_audit(filters)},
        )

    return AuditedRead(qs, audit)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def audit_export_rows(*, user: Any, filters: dict[str, Any], request: Any = None) -> Iterable[list[str]]:
    """The trail as the caller may read it, filtered, as CSV rows with names and words
    (`sharing.trail.trail_export`): at most AUDIT_EXPORT_LIMIT, newest first, the export
    audited as `audit.trail.exported` before the first row is sent."""
    return trail_export(
        user=user,
        events=audit_events_visible_to(user=user, filters=filters),
        filters=filters,
        limit=AUDIT_EXPORT_LIMIT,
        action=AUDIT_TRAIL_EXPORTED,
        request=request,
    )


_AUDIT_COLUMN = {"agency": "actor_agency"}


def audit_events_visible_to(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    """Admins read every event; an information-governance lead reads events whose actor
    belongs to their agency and events about records their agency wrote. Everyone else
    reads nothing (the views answer 403). Filters: case, person, actor, agency (the
    actor's; UUIDs); case_in, person_in, actor_in (lists of UUIDs); action
    (exact code, or a prefix ending in '.'), from / to (dates, inclusive, TIME_ZONE).
    A malformed filter matches nothing rather than everything. Not audited: callers read
    through `audit_list_visible_to`."""
    if is_admin(user):
        qs = AuditEvent.objects.all()
    else:
        professional = professional_for(user)
        if professional is None:
            return AuditEvent.objects.none()
        agency_ids = governed_agency_ids(professional=professional)
        if not agency_ids:
            return AuditEvent.objects.none()
        qs = AuditEvent.objects.filter(Q(actor_agency__in=agency_ids) | Q(subject_agency__in=agency_ids))
    filters = filters or {}
    for name in ("case", "person", "actor", "agency"):
        value = filters.get(name)
        if value:
            try:
                qs = qs.filter(**{_AUDIT_COLUMN.get(name, name): uuid.UUID(str(value))})
            except ValueError:
                return AuditEvent.objects.none()
    for name in ("case_in", "person_in", "actor_in"):
        ids = filters.get(name)
        if isinstance(ids, list | tuple):  # ids a typed name stood for (from a form, never a query string)
            qs = qs.filter(**{f"{name[:-3]}__in": list(ids)})
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
            if not date_within_range(day):  # ?to=9999-12-31 has no day after it
                return AuditEvent.objects.none()
            start = datetime.combine(day + timedelta(days=shift), time.min, tzinfo=tz)
            qs = qs.filter(**{lookup: start})
    return qs.order_by("-at", "-id")


CASE_PAGE_RECORDS = 5


def case_sharing_sections(*, user: Any, case: Case, request: Any = None) -> dict[str, Any]:
    """What the case page's records section shows: the newest records the viewer may
    see (their read audited here, as `cases.record.listed`), the consent grid and the
    viewer's overrides in force on the case."""
    records = record_list_visible_to(user=user, case=case, request=request)[:CASE_PAGE_RECORDS]
    return {
        "case": case,
        "records": records,
        "grids": consent_grid(user=user, case=case, request=request),
        "overrides": list(overrides_active_for(user=user, case=case)),
    }


# --- "Who has looked at my information" (the person's access log) --------------------

# Reads of a person's records or details by a professional (never the person's own), and an
# information-governance lead's check of who read them.
ACCESS_LOG_ACTIONS = (
    "cases.record.viewed",
    "cases.record.listed",
    "cases.record.exported",
    "cases.person.viewed",
    "cases.person.listed",
    "cases.consent.listed",
    "cases.relationship.listed",
    "cases.relationship.viewed",
    "cases.household.listed",
    "cases.household.viewed",
    "cases.proxy.listed",
    AUDIT_TRAIL_VIEWED,
    AUDIT_TRAIL_EXPORTED,
)
ACCESS_LOG_VIEWED = "portal.access_log.viewed"
ACCESS_LOG_DAYS = 366
ACCESS_LOG_LIMIT = 5000  # the newest reads a page groups (a year of a busy case is far fewer)

# In plain words (tests/portal/test_plain_words.py), by the basis of the read.
REASONS = {
    policy.BASIS_OWN_AGENCY: _("They wrote it, or someone at their work did."),
    policy.BASIS_COORDINATION: _("It is part of your plan, which your team shares."),
    policy.BASIS_CONSENT: _("You said yes to sharing this with them."),
    policy.BASIS_OVERRIDE: _("They needed it to keep someone safe. A manager checked this, and said we can tell you."),
    "case_team": _("They work on your plan."),
    "admin": _("They help run the system."),
    "": _("They work on your plan."),
}
TRAIL_REASON = _("They checked who has looked at your information.")
TRAIL_ROLE = _("Information governance")


@dataclass(frozen=True)
class AccessLogEntry:
    at: datetime
    agency: str
    role: str
    reason: str


def access_log_events(*, person_id: Any, with_overrides: bool = True) -> QuerySet[AuditEvent]:
    """Reads of the person's details and records by professionals, newest first (the
    (person, at, id) index of every monthly partition). Reads under a safeguarding override
    appear only once its reviewer has said the person may be told, and only to the person
    (with_overrides=False for anyone else, such as a parent's proxy: the reviewer cleared
    telling the person, and the parent may be the risk)."""
    told = (
        [str(pk) for pk in overrides_told_to(person=person_id).values_list("pk", flat=True)] if with_overrides else []
    )
    return (
        AuditEvent.objects.filter(person=person_id, actor__isnull=False, action__in=ACCESS_LOG_ACTIONS)
        .filter(~Q(basis=policy.BASIS_OVERRIDE) | Q(detail__override__in=told))
        .order_by("-at", "-id")
    )


def access_log_entries_for(
    *, person: Person, days: int = ACCESS_LOG_DAYS, limit: int = ACCESS_LOG_LIMIT, with_overrides: bool = True
) -> list[AccessLogEntry]:
    """Who has looked at the person's information in the last `days`: one entry per read,
    newest first (at most `limit`), with the reader's agency at the time, their profession and
    why they could read it in plain words, never the reader's name (DESIGN.md; the portal's
    page and `/api/v1/me/access-log/` group these by day). Not audited here: the portal audits
    the person's look (`portal.access_log.viewed`, which, having no professional actor, is
    never listed)."""
    since = timezone.now() - timedelta(days=days)
    events = list(
        access_log_events(person_id=person.pk, with_overrides=with_overrides)
        .filter(at__gte=since)
        .values_list("at", "action", "actor", "actor_agency", "basis")[:limit]
    )
    agencies: dict[Any, str] = dict(Agency.objects.filter(pk__in={e[3] for e in events}).values_list("pk", "name"))
    professions: dict[Any, str] = {
        pk: Professional(profession=code).get_profession_display()
        for pk, code in Professional.objects.filter(pk__in={e[2] for e in events}).values_list("pk", "profession")
    }
    entries = []
    for at, action, actor, agency, basis in events:
        trail = action in (AUDIT_TRAIL_VIEWED, AUDIT_TRAIL_EXPORTED)
        entries.append(
            AccessLogEntry(
                at=at,
                agency=agencies.get(agency, "") if agency else "",
                role=str(TRAIL_ROLE if trail else professions.get(actor, _("Professional"))),
                reason=str(TRAIL_REASON if trail else REASONS.get(basis or "", REASONS[""])),
            )
        )
    return entries


# --- Subject access requests ----------------------------------------------------------


def sar_list_for_person(*, person: Person) -> QuerySet[SubjectAccessRequest]:
    """The person's requests, newest first; one merged into an earlier open request
    (migration sharing 0004) is answered by that one and not listed beside it."""
    return (
        SubjectAccessRequest.objects.filter(person=person)
        .exclude(status=SubjectAccessStatus.MERGED)
        .order_by("-created_at")
    )


def sar_queue_for(*, user: Any) -> QuerySet[SubjectAccessRequest]:
    """The requests the caller must answer (an admin: all), open ones first; merged ones
    are answered with the earlier request they were merged into."""
    qs = (
        SubjectAccessRequest.objects.exclude(status=SubjectAccessStatus.MERGED)
        .select_related("case", "person")
        .order_by("status", "due_date")
    )
    if is_admin(user):
        return qs
    professional = professional_for(user)
    if professional is None:
        return qs.none()
    return qs.filter(accountable=professional)


def sar_get_for(*, user: Any, sar_id: Any) -> SubjectAccessRequest:
    sar = sar_queue_for(user=user).filter(pk=parse_uuid(sar_id)).first()
    if sar is None:
        raise Http404("Not found")
    return sar


def sar_open_count(*, person: Person) -> int:
    return SubjectAccessRequest.objects.filter(person=person, status=SubjectAccessStatus.RECEIVED).count()
