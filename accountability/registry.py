"""The due-item registry: every kind of accountable work, registered by the app that owns it.

Floor 3. Each app that creates accountable work (plans: milestones and reviews;
sharing: override reviews and subject-access requests; and the higher floors) registers a
`DueSource` in its AppConfig.ready(); an app that tells people of what happened registers
its `NoticeKind`s there too (their words, whether they are e-mailed, whether they are still
told once their item is no longer owed). The reminder scan, escalation, the claim-time
check, My work, the calendar feed and the case-team exit check iterate the
registry, so a new kind of work touches only its own app. accountability never
imports the apps it serves: a source hands over its queryset and the names of
its fields.

May use: agencies, audit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, UUIDField, Value
from django.db.models.functions import Cast, Concat

from agencies.prepared import PreparedQuery

_PLACEHOLDER = re.compile(r"\{(case|id)\}")


@dataclass(frozen=True)
class DueItem:
    """A due item as accountability sees it: identifiers only, never names or titles."""

    subject_type: str
    subject_id: uuid.UUID
    due_date: date
    accountable: uuid.UUID
    team_lead: uuid.UUID | None
    case: uuid.UUID | None
    case_reference: str
    link: str
    case_lead: uuid.UUID | None = None  # escalated to as well as the team lead (sources that name one)


@dataclass(frozen=True)
class WorkItem:
    """One line of My work: an open item I answer for, as its owning app words it."""

    subject_type: str
    kind_label: str  # "Milestone", "Review": what kind of item, in words
    id: uuid.UUID
    title: str
    due: date
    case_id: uuid.UUID
    case_reference: str
    case_title: str
    link: str
    tag: str = ""  # overdue / due_soon / later
    accountable_name: str = ""  # who answers for it (lines of items on cases I coordinate)
    case_link: str = ""  # the case page, filled in by the page that lists the item


DUE_SOON_DAYS = 7  # My work's "due soon": within a week


def owed_rows(owed: Callable[[], QuerySet[Any]], *, holder: str, columns: Sequence[str]) -> PreparedQuery:
    """My work's rows of one kind of item: `owed()` filtered to the professional in the slot `me`
    (the `holder` foreign key), as `columns`. My work runs one per kind at every visit, so each is
    a prepared query, compiled once (agencies.prepared, decision 0083): `.rows(me=professional.pk)`."""
    return PreparedQuery(
        lambda *, me: owed().filter(**{f"{holder}_id": me}).values_list(*columns),
        me=UUIDField(),
    )


def work_lines(
    rows: Iterable[Sequence[Any]],
    *,
    subject_type: str,
    kind_label: str,
    link: str,
    title: str | Callable[..., str],
    today: date,
) -> list[WorkItem]:
    """My work's lines of one kind of item, the shape every source's `work_items` builds.
    Each row is (id, due date, case id, case reference, case title, *extra); `title` is the
    line's words, or a function of the row's extra values; `link` is filled in with
    `{case}` and `{id}`; the tag says overdue, due soon (within DUE_SOON_DAYS) or later."""
    lines = []
    for pk, due, case_id, reference, case_title, *extra in rows:
        tag = "overdue" if due < today else ("due_soon" if (due - today).days <= DUE_SOON_DAYS else "later")
        lines.append(
            WorkItem(
                subject_type=subject_type,
                kind_label=kind_label,
                id=pk,
                title=title if isinstance(title, str) else title(*extra),
                due=due,
                case_id=case_id,
                case_reference=reference,
                case_title=case_title,
                link=link.format(case=case_id, id=pk),
                tag=tag,
            )
        )
    return lines


@dataclass(frozen=True)
class DueSource:
    """One kind of due item.

    `owed` returns the rows still owed (open, on an open case, ...); `date_field` and
    `accountable_field` (a foreign key to agencies.Professional) name its due date and
    who answers for it; `case_field` / `case_reference_field` where its case is;
    `link` is the path of an item, with `{case}` and `{id}` filled in from its row. `work_items`
    (optional) gives My work's lines for a professional; `before_scan` (optional) runs
    at the start of every scan. `on_case_team`: the accountable person must be on the
    case team, so they cannot leave it while they hold one. `case_lead_field` (optional)
    names the case's lead professional, who is escalated to as well as the accountable
    person's team lead. `coordinated_items` (optional) gives the overdue and due-soon items
    of others on the cases a professional coordinates (My work's "On my cases", the Team
    page). `titles` (optional) answers, for a viewer and some item ids, the plain titles
    of those the viewer may see (the wording of notifications)."""

    subject_type: str
    label: str
    owed: Callable[[], QuerySet[Any]]
    date_field: str
    accountable_field: str
    link: str
    case_field: str = "case_id"
    case_reference_field: str = "case__reference"
    work_items: Callable[[Any], list[WorkItem]] | None = None
    before_scan: Callable[[], Any] | None = None
    on_case_team: bool = True
    case_lead_field: str | None = None
    coordinated_items: Callable[[Any], list[WorkItem]] | None = None
    titles: Callable[[Any, list[uuid.UUID]], dict[uuid.UUID, str]] | None = None

    def item_link(self, *, case_id: Any, subject_id: Any) -> str:
        return self.link.format(case=case_id, id=subject_id)

    def link_expression(self) -> Concat:
        """The same link built in SQL from the row's columns (for the set-based scan)."""
        parts: list[Any] = []
        fields = {"case": self.case_field, "id": "id"}
        for i, piece in enumerate(_PLACEHOLDER.split(self.link)):
            if i % 2:
                parts.append(Cast(fields[piece], CharField()))
            elif piece:
                parts.append(Value(piece))
        return Concat(*parts, output_field=CharField())

    def accountable_column(self) -> str:
        return f"{self.accountable_field}_id"

    def case_lead_expression(self) -> Any:
        """The case lead's id column, or NULL for sources that escalate to the team lead only."""
        if self.case_lead_field is None:
            return Cast(Value(None), output_field=UUIDField())  # typed, so the scan's SQL compares it
        return F(self.case_lead_field)


_sources: dict[str, DueSource] = {}


def register_due_source(source: DueSource) -> None:
    """Called from an AppConfig.ready(); registering the same kind again replaces it."""
    _sources[source.subject_type] = source


def due_sources() -> list[DueSource]:
    return list(_sources.values())


def due_source(subject_type: str) -> DueSource | None:
    return _sources.get(subject_type)


def label_of(subject_type: str, count: int = 1) -> str:
    source = _sources.get(subject_type)
    label = source.label if source else subject_type.replace("_", " ")
    return label if count == 1 else f"{label}s"


def due_date_filter(field_name: str, *, exact: list[date], window: tuple[date, date]) -> Q:
    return Q(**{f"{field_name}__in": exact}) | Q(**{f"{field_name}__range": window})


def due_rows_sql(*, exact: list[date], window: tuple[date, date]) -> list[tuple[str, Any]]:
    """Per source, the SQL of its due rows with columns in DUE_SOURCE_COLUMNS order
    (subject_type, subject_id, due_date, accountable, team_lead, case_id,
    case_reference, link, case_lead), for the set-based insert."""
    statements = []
    for source in _sources.values():
        acc = source.accountable_field
        qs = (
            source.owed()
            .filter(due_date_filter(source.date_field, exact=exact, window=window))
            .annotate(
                reminder_subject_type=Value(source.subject_type, CharField()),
                reminder_link=source.link_expression(),
                reminder_case_lead=source.case_lead_expression(),
            )
            .values_list(
                "reminder_subject_type",
                "id",
                source.date_field,
                source.accountable_column(),
                f"{acc}__team__lead_id",
                source.case_field,
                source.case_reference_field,
                "reminder_link",
                "reminder_case_lead",
            )
            .order_by()
        )
        statements.append(qs.query.sql_with_params())
    return statements


def due_rows(*, exact: list[date], window: tuple[date, date]) -> Iterator[DueItem]:
    """The same selection as due_rows_sql, item by item (SQLite)."""
    for source in _sources.values():
        acc = source.accountable_field
        rows = (
            source.owed()
            .filter(due_date_filter(source.date_field, exact=exact, window=window))
            .annotate(reminder_case_lead=source.case_lead_expression())
            .values_list(
                "id",
                source.date_field,
                source.accountable_column(),
                f"{acc}__team__lead_id",
                source.case_field,
                source.case_reference_field,
                "reminder_case_lead",
            )
            .order_by()
        )
        for subject_id, due, accountable, lead, case_id, reference, case_lead in rows.iterator(chunk_size=5000):
            yield DueItem(
                subject_type=source.subject_type,
                subject_id=subject_id,
                due_date=due,
                accountable=accountable,
                team_lead=lead,
                case=case_id,
                case_reference=reference,
                link=source.item_link(case_id=case_id, subject_id=subject_id),
                case_lead=case_lead,
            )


def accountable_items(professional_id: uuid.UUID) -> list[DueItem]:
    """Every owed item this professional answers for, soonest first (the calendar feed)."""
    items: list[DueItem] = []
    for source in _sources.values():
        rows = (
            source.owed()
            .filter(**{source.accountable_column(): professional_id})
            .values_list("id", source.date_field, source.case_field, source.case_reference_field)
        )
        items.extend(
            DueItem(
                subject_type=source.subject_type,
                subject_id=subject_id,
                due_date=due,
                accountable=professional_id,
                team_lead=None,
                case=case_id,
                case_reference=reference,
                link=source.item_link(case_id=case_id, subject_id=subject_id),
            )
            for subject_id, due, case_id, reference in rows
            if due is not None
        )
    return sorted(items, key=lambda i: (i.due_date, i.case_reference, str(i.subject_id)))


Key = tuple[uuid.UUID, uuid.UUID, date]


def still_due(subject_type: str, keys: list[Key]) -> set[Key]:
    """Which (id, accountable, due date) keys are still owed, held by the same
    professional and due on the same date (checked at claim time, so a handover or
    completion between scan and delivery never reminds the wrong person). A kind
    that no app registers cannot be checked and is delivered as it was scanned."""
    source = _sources.get(subject_type)
    if source is None:
        return set(keys)
    ids = {k[0] for k in keys}
    current = set(source.owed().filter(id__in=ids).values_list("id", source.accountable_column(), source.date_field))
    return {k for k in keys if k in current}


def open_items_held_on_case(*, professional_id: uuid.UUID, case_id: uuid.UUID) -> int:
    """How many owed items of kinds held by the case team this professional answers for on the case."""
    return sum(
        source.owed().filter(**{source.accountable_column(): professional_id, source.case_field: case_id}).count()
        for source in _sources.values()
        if source.on_case_team
    )


def work_items_for(professional: Any) -> list[WorkItem]:
    """My work: every registered kind's open items I answer for, soonest first."""
    items = [item for source in _sources.values() if source.work_items for item in source.work_items(professional)]
    items.sort(key=lambda i: (i.due, i.subject_type, i.title))
    return items


def coordinated_items_for(professional: Any) -> list[WorkItem]:
    """My work's "On my cases": every registered kind's overdue and due-soon items that others
    answer for on the cases I coordinate, soonest first."""
    items = [
        item
        for source in _sources.values()
        if source.coordinated_items
        for item in source.coordinated_items(professional)
    ]
    items.sort(key=lambda i: (i.due, i.subject_type, i.title))
    return items


def titles_for(viewer: Any, keys: list[tuple[str, uuid.UUID]]) -> dict[tuple[str, uuid.UUID], str]:
    """The plain titles of these (subject_type, id) items that the viewer may see, one query
    per kind; items of kinds without titles, or not visible to the viewer, are left out."""
    by_type: dict[str, list[uuid.UUID]] = {}
    for subject_type, subject_id in keys:
        by_type.setdefault(subject_type, []).append(subject_id)
    titles: dict[tuple[str, uuid.UUID], str] = {}
    for subject_type, ids in by_type.items():
        source = _sources.get(subject_type)
        if source is None or source.titles is None:
            continue
        for subject_id, title in source.titles(viewer, ids).items():
            titles[(subject_type, subject_id)] = title
    return titles


@dataclass(frozen=True)
class CalendarEvent:
    """A timed event of the calendar feed: identifiers, times and a link only."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    link: str
    sequence: int = 0
    cancelled: bool = False


_calendar_sources: list[Callable[[uuid.UUID], list[CalendarEvent]]] = []


def register_calendar_source(events: Callable[[uuid.UUID], list[CalendarEvent]]) -> None:
    """Called from an AppConfig.ready(): `events(professional_id)` gives that professional's
    timed events. Registering the same function again is a no-op."""
    if events not in _calendar_sources:
        _calendar_sources.append(events)


def calendar_events_for(professional_id: uuid.UUID) -> list[CalendarEvent]:
    events = [event for source in _calendar_sources for event in source(professional_id)]
    return sorted(events, key=lambda e: (e.starts_at, e.uid))


def before_scan() -> None:
    for source in _sources.values():
        if source.before_scan is not None:
            source.before_scan()


@dataclass(frozen=True)
class NoticeKind:
    """One kind of reminder or notice, as its owning app words it (decision 0086).

    `label` names the kind ("Handed over to you"); `phrase` says what happened to the item
    ("has been handed over to you"), after the item's kind and title in the app and in e-mails.
    `email(case_reference, due_date, item_label)` (optional) gives the e-mail's subject and first
    line when the kind is worded otherwise than "A <item> on case <ref> <phrase> (due <date>)";
    None from it, or no `email`, is that generic wording. Neither may quote case content.
    `ends`: told even though the item is no longer owed (a cancellation, a completion; or no due
    item at all), so the claim-time "still due" check does not cancel it. `in_app_only`: never
    e-mailed (the owning app sends its own e-mail). `what(case_reference)` (optional) replaces the
    notification's "<item kind> “<title>”" with the app's own words."""

    code: str
    label: str
    phrase: str
    email: Callable[[str, date, str], tuple[str, str] | None] | None = None
    ends: bool = False
    in_app_only: bool = False
    what: Callable[[str], str] | None = None


GENERIC_PHRASE = "needs attention"  # a kind no app registers (any more): worded, never an error

_notice_kinds: dict[str, NoticeKind] = {}


def register_notice_kind(kind: NoticeKind) -> None:
    """Called from an AppConfig.ready(); registering the same code again replaces it."""
    _notice_kinds[kind.code] = kind


def notice_kind(code: str) -> NoticeKind | None:
    return _notice_kinds.get(code)


def notice_kinds() -> list[NoticeKind]:
    """Every registered kind, in the order registered (accountability's own first)."""
    return list(_notice_kinds.values())


def notice_phrase(code: str) -> str:
    kind = _notice_kinds.get(code)
    return kind.phrase if kind else GENERIC_PHRASE


def notice_label(code: str) -> str:
    kind = _notice_kinds.get(code)
    return kind.label if kind else code.replace("_", " ").capitalize()


def notice_ends(code: str) -> bool:
    kind = _notice_kinds.get(code)
    return kind is not None and kind.ends


def notice_in_app_only(code: str) -> bool:
    kind = _notice_kinds.get(code)
    return kind is not None and kind.in_app_only
