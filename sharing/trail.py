"""The audit trail for people: reads that turn the caller's visible audit events
(`sharing.selectors.audit_events_visible_to`) into what an information-governance lead
reads and a subject-access request needs: person names, case references, agencies and
actions in words; names typed in the filters resolved to the people, cases and
professionals of the trail the caller may read; consecutive list reads as one line.

Floor 5 (sharing). May use: cases, agencies, audit.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.models import Agency, Professional
from agencies.selectors import is_admin
from audit.models import AuditBasis, AuditEvent
from audit.services import audit_record, audit_record_many
from cases.models import Case, Person
from sharing.audit_labels import ACTION_LABELS, COLLAPSED_LABELS, LIST_READS, action_label

SUGGESTIONS = 10
NAME_MATCHES = 200  # people or professionals a typed name may stand for
RUN_GAP = timedelta(seconds=5)  # list reads further apart than this are separate lines
EXPORT_CHUNK = 1000

SUBJECT_WORDS = {
    "record": "Record",
    "person": "Person",
    "case": "Case",
    "milestone": "Milestone",
    "review": "Review",
    "goal": "Goal",
    "consent": "Consent decision",
    "safeguarding_access": "Safeguarding override",
    "audit_trail": "Audit trail",
    "assignment": "Case team role",
}


def _words(text: str) -> list[str]:
    return [w for w in (text or "").replace(",", " ").split() if w][:5]


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text).strip())
    except ValueError:
        return None


def _named(words: list[str]) -> Q:
    cond = Q()
    for w in words:
        cond &= Q(given_name__icontains=w) | Q(family_name__icontains=w)
    return cond


def people_in_trail(*, events: QuerySet[AuditEvent], text: str) -> list[Person]:
    """People whose name has every word of `text` (or whose id it is) and who appear in
    the events the caller may read; at most NAME_MATCHES."""
    pk = _uuid(text)
    people = Person.objects.filter(pk=pk) if pk else Person.objects.filter(_named(_words(text)))
    return list(
        people.filter(Exists(events.filter(person=OuterRef("pk")).order_by()))
        .only("id", "given_name", "family_name", "date_of_birth")
        .order_by("family_name", "given_name", "id")[:NAME_MATCHES]
    )


def cases_in_trail(*, events: QuerySet[AuditEvent], text: str) -> list[Case]:
    """Cases whose reference contains `text` (or whose id it is) in the events the caller may read."""
    pk = _uuid(text)
    text = (text or "").strip()
    cases = Case.objects.filter(pk=pk) if pk else Case.objects.filter(reference__icontains=text)
    return list(
        cases.filter(Exists(events.filter(case=OuterRef("pk")).order_by()))
        .only("id", "reference")
        .order_by("-reference")[:NAME_MATCHES]
    )


def professionals_in_trail(*, events: QuerySet[AuditEvent], text: str) -> list[Professional]:
    """Professionals named by `text` (or whose id it is) who acted in the events the caller may read."""
    pk = _uuid(text)
    staff = Professional.objects.filter(pk=pk) if pk else Professional.objects.filter(_named(_words(text)))
    return list(
        staff.filter(Exists(events.filter(actor=OuterRef("pk")).order_by()))
        .select_related("agency")
        .order_by("family_name", "given_name", "id")[:NAME_MATCHES]
    )


def agency_choices() -> list[tuple[str, str]]:
    """Agencies the filter may name (directory data)."""
    return [(str(pk), name) for pk, name in Agency.objects.order_by("name").values_list("pk", "name")]


@dataclass(frozen=True)
class Suggestion:
    value: str
    label: str


def trail_suggestions(
    *, user: Any, events: QuerySet[AuditEvent], field_name: str, text: str, request: Any = None
) -> list[Suggestion]:
    """Auto-complete for the trail's filters, over what the caller may read: people, case
    references or professionals starting from two typed characters. Suggesting people
    reads their names, so it is audited (`cases.person.listed`, one event per person)."""
    text = (text or "").strip()[:100]
    if len(text) < 2:
        return []
    if field_name == "case":
        return [Suggestion(c.reference, c.reference) for c in cases_in_trail(events=events, text=text)[:SUGGESTIONS]]
    if field_name == "actor":
        return [
            Suggestion(p.full_name, f"{p.full_name} ({p.agency.name})")
            for p in professionals_in_trail(events=events, text=text)[:SUGGESTIONS]
        ]
    if field_name != "person":
        return []
    people = people_in_trail(events=events, text=text)[:SUGGESTIONS]
    audit_record_many(
        (
            {
                "action": "cases.person.listed",
                "person": p.pk,
                "subject_type": "person",
                "subject_id": p.pk,
                "basis": AuditBasis.ADMIN if is_admin(user) else AuditBasis.OWN_AGENCY,
                "detail": {"list": "audit_trail_suggestions"},
            }
            for p in people
        ),
        actor=user,
        request=request,
    )
    return [
        Suggestion(p.full_name, f"{p.full_name} (born {p.date_of_birth:%-d %b %Y})" if p.date_of_birth else p.full_name)
        for p in people
    ]


@dataclass
class TrailLine:
    """One line of the trail: one event, or a run of list reads with their count."""

    at: datetime
    action: str
    label: str
    actor_name: str
    agency: str
    basis: str
    case_id: Any
    case_reference: str
    people: list[tuple[Any, str]] = field(default_factory=list)  # (id, name)
    subject: str = ""
    ip: str = ""
    count: int = 1
    first_at: datetime | None = None


@dataclass
class _Names:
    people: dict[Any, str]
    cases: dict[Any, str]
    agencies: dict[Any, str]


def _names_of(events: list[AuditEvent]) -> _Names:
    """Names of the people, cases and agencies the events name: three queries."""
    person_ids = {e.person for e in events if e.person}
    case_ids = {e.case for e in events if e.case}
    agency_ids = {a for e in events for a in (e.actor_agency, e.subject_agency) if a}
    return _Names(
        people={
            pk: f"{given} {family}"
            for pk, given, family in Person.objects.filter(pk__in=person_ids).values_list(
                "pk", "given_name", "family_name"
            )
        }
        if person_ids
        else {},
        cases=dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference")) if case_ids else {},
        agencies=dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name")) if agency_ids else {},
    )


_BASIS = dict(AuditBasis.choices)


def _basis_words(code: str) -> str:
    return "" if not code else _BASIS.get(code, code)


def _continues(run: TrailLine, e: AuditEvent, last_at: datetime, last: AuditEvent) -> bool:
    return (
        e.action in LIST_READS
        and e.action == last.action
        and e.actor_user_id == last.actor_user_id
        and e.case == last.case
        and abs(last_at - e.at) <= RUN_GAP
    )


def trail_lines(events: Iterable[AuditEvent]) -> list[TrailLine]:
    """The events (in the order given, newest first) as lines: names in words, and each
    run of the same list read by the same person on the same case within a few seconds
    collapsed into one line with its count (`count` rows read)."""
    events = list(events)
    names = _names_of(events)
    lines: list[TrailLine] = []
    last: AuditEvent | None = None
    for e in events:
        person = (e.person, names.people.get(e.person, "Someone no longer registered")) if e.person else None
        if last is not None and lines and _continues(lines[-1], e, last.at, last):
            run = lines[-1]
            run.count += 1
            run.first_at = e.at
            run.label = COLLAPSED_LABELS.get(e.action, run.label)
            if person and person not in run.people:
                run.people.append(person)
        else:
            lines.append(
                TrailLine(
                    at=e.at,
                    action=e.action,
                    label=action_label(e.action),
                    actor_name=e.actor_name,
                    agency=names.agencies.get(e.actor_agency, "") if e.actor_agency else "",
                    basis=_basis_words(e.basis),
                    case_id=e.case,
                    case_reference=names.cases.get(e.case, "") if e.case else "",
                    people=[person] if person else [],
                    subject=SUBJECT_WORDS.get(e.subject_type, e.subject_type.replace("_", " ").capitalize()),
                    ip=e.ip or "",
                )
            )
        last = e
    return lines


EXPORT_HEADER = [
    "when",
    "action",
    "action_code",
    "who",
    "who_agency",
    "who_id",
    "person",
    "person_id",
    "case_reference",
    "case_id",
    "subject",
    "subject_id",
    "subject_agency",
    "basis",
    "ip",
]


def _export_rows(events: QuerySet[AuditEvent], limit: int) -> Iterator[list[str]]:
    yield EXPORT_HEADER
    chunk: list[AuditEvent] = []
    for e in events[:limit].iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(e)
        if len(chunk) == EXPORT_CHUNK:
            yield from _rows_of(chunk)
            chunk = []
    if chunk:
        yield from _rows_of(chunk)


def _rows_of(events: list[AuditEvent]) -> Iterator[list[str]]:
    names = _names_of(events)
    for e in events:
        yield [
            e.at.isoformat(),
            action_label(e.action),
            e.action,
            e.actor_name,
            names.agencies.get(e.actor_agency, "") if e.actor_agency else "",
            str(e.actor or ""),
            names.people.get(e.person, "") if e.person else "",
            str(e.person or ""),
            names.cases.get(e.case, "") if e.case else "",
            str(e.case or ""),
            SUBJECT_WORDS.get(e.subject_type, e.subject_type),
            str(e.subject_id or ""),
            names.agencies.get(e.subject_agency, "") if e.subject_agency else "",
            _basis_words(e.basis),
            e.ip or "",
        ]


def trail_export(
    *, user: Any, events: QuerySet[AuditEvent], filters: dict[str, Any], limit: int, action: str, request: Any = None
) -> Iterator[list[str]]:
    """CSV rows (header first) of the events, newest first, at most `limit`, read in chunks
    as they are sent. The export is audited once, before the first row is sent, as
    `action` with the number of events it sends and the filters (identifiers only);
    the rows sent are those before that event."""
    count = min(events.count(), limit)
    exported = audit_record(
        action=action,
        actor=user,
        request=request,
        person=uuid_or_none(filters.get("person")),  # a query string's id is a string, a form's a UUID
        case=uuid_or_none(filters.get("case")),
        subject_type="audit_trail",
        basis=AuditBasis.ADMIN if is_admin(user) else AuditBasis.OWN_AGENCY,
        detail={"events": count, "filters": filters_for_audit(filters)},
    )
    return _export_rows(events.filter(id__lt=exported.pk), limit)  # the events counted, not this one


def uuid_or_none(value: Any) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


_ID_FILTERS = ("case", "person", "actor", "agency")
# The action filters an audit event may record: a labelled action code, or a prefix of one
# ending in "." ("cases.", "cases.record."). Anything else is a word someone typed (a surname
# has the shape of a code), which never reaches the trail; the filter itself still applies.
_KNOWN_ACTIONS: frozenset[str] = frozenset(ACTION_LABELS) | frozenset(
    code.rsplit(".", n)[0] + "." for code in ACTION_LABELS for n in range(1, code.count(".") + 1)
)


def filters_for_audit(filters: dict[str, Any]) -> dict[str, Any]:
    """What an audit event records of the filters: identifiers, codes and dates, never the
    words typed (a name typed is recorded as the ids it stood for). Only the known filters
    are kept, and only values of their shape: an unknown key, or a word typed where an id
    or a date belongs, or an action that is no known code (or prefix of codes), is left out."""
    out: dict[str, Any] = {}
    for key in _ID_FILTERS:
        value = uuid_or_none(filters.get(key))
        if value is not None:
            out[key] = str(value)
    for key in ("case_in", "person_in", "actor_in"):
        ids = filters.get(key)
        if isinstance(ids, list | tuple) and ids:
            out[key] = [str(v) for v in list(ids)[:50] if uuid_or_none(v) is not None]
    action = str(filters.get("action") or "").strip()
    if action in _KNOWN_ACTIONS:
        out["action"] = action
    for key in ("from", "to"):
        value = filters.get(key)
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif value:
            with contextlib.suppress(ValueError):
                out[key] = date.fromisoformat(str(value)).isoformat()
    return out
