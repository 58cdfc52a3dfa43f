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

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Professional
from agencies.selectors import is_admin, is_information_governance_lead, professional_for
from audit.models import AuditEvent
from audit.reads import AuditedRead
from audit.services import audit_record, audit_record_many
from cases.models import Case, Person
from cases.selectors import on_a_case_visible_to, parse_uuid
from sharing import policy
from sharing.models import Category, Consent, ConsentDecision, Record, SafeguardingAccess
from sharing.services import safeguarding_access_expire_due


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
        if basis_of[r.pk] == policy.BASIS_OVERRIDE:
            key = (r.case_id, r.category)
            through_override[key] = through_override.get(key, 0) + 1
    if through_override:
        professional = _require_professional(user)
        cond = Q()
        for case_id, category in through_override:
            cond |= Q(case_id=case_id, category=category)
        for access in policy.active_overrides(professional=professional, now=timezone.now()).filter(cond):
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
    qs = Consent.objects.filter(person=person).select_related("agency", "recorded_by").order_by("-created_at", "-id")
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


def consent_grid(*, user: Any, case: Case, today: date | None = None, request: Any = None) -> list[ConsentGrid]:
    """Per person of the case: category × agency -> shared / not shared / refused /
    expired / withdrawn. Agencies are those on the case team plus any named in a
    consent. A cell is `shared` when any consent is in force; otherwise the state of
    the most recent decision. Three queries whatever the number of consents."""
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
