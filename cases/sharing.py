"""The sharing policy: the one place that decides who sees what.

Pages, API, search, exports and notifications read through selectors that
call this module; nothing else filters cases or records by itself.

Case visibility: a professional sees a case when they hold an active role
assignment on it, or lead a team one of whose members holds one. Everyone else
sees nothing of the case (404). Evaluated in the database as an indexed
`Exists` predicate at every read, so nothing can go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import BooleanField, CharField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as DbCase
from django.utils import timezone

from agencies.models import Professional
from cases.models import (
    Case,
    Category,
    Consent,
    ConsentDecision,
    Record,
    RoleAssignment,
    SafeguardingAccess,
)


def active_assignments() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(ended_on__isnull=True)


def is_member_expr(professional: Professional) -> Exists:
    """True where the professional holds an active assignment on the case."""
    return Exists(active_assignments().filter(case=OuterRef("pk"), professional=professional))


def leads_member_expr(professional: Professional) -> Exists:
    """True where the professional leads the team of someone actively on the case."""
    return Exists(active_assignments().filter(case=OuterRef("pk"), professional__team__lead=professional))


def professionals_seen_through(professional: Professional) -> QuerySet[Professional, Any]:
    """The professional and the members of every team they lead: whose cases they see.

    A UNION of two indexed lookups (primary key; team lead -> team members), not one
    filter with OR across the team join: the OR made PostgreSQL scan every professional
    on each case-list query, so its cost grew with the size of the deployment."""
    members_of_led_teams = Professional.objects.filter(team__lead=professional).values("pk")
    return Professional.objects.filter(pk=professional.pk).values("pk").union(members_of_led_teams)


def visible_case_ids(professional: Professional) -> QuerySet[RoleAssignment, Any]:
    """Ids of the cases the professional may see, driven from their own assignments so the
    cost grows with their caseload, not with the number of cases in the deployment."""
    return active_assignments().filter(professional__in=professionals_seen_through(professional)).values("case_id")


def cases_visible_to(professional: Professional | None) -> QuerySet[Case]:
    """Every case the professional may see."""
    if professional is None:
        return Case.objects.none()
    return Case.objects.filter(pk__in=visible_case_ids(professional))


def case_with_access(
    professional: Professional | None, case_id: Any, *, annotations: dict[str, Any] | None = None
) -> Case | None:
    """The case if visible, annotated with how: `is_member` (on the team) and
    `leads_member` (leads the team of someone on it); None when not visible.
    `annotations` lets the caller load more in the same query (e.g. permissions)."""
    if professional is None:
        return None
    return (
        Case.objects.filter(pk=case_id)
        .annotate(is_member=is_member_expr(professional), leads_member=leads_member_expr(professional))
        .filter(Q(is_member=True) | Q(leads_member=True))
        .annotate(**(annotations or {}))
        .select_related("lead_professional__agency")
        .first()
    )


# --- Records ------------------------------------------------------------------
#
# A professional who can see a case sees a record of it when any one of these
# holds, checked in this order; the first that holds is the *basis* of the read
# (recorded in the audit trail):
#
#   1. own_agency    the record was written by someone of the viewer's agency;
#   2. coordination  the category is `general`;
#   3. consent       every person the record is about has a consent that is given,
#                    not withdrawn, within its dates today, for this category and
#                    for the viewer's agency;
#   4. override      the viewer holds a safeguarding override on this case for this
#                    category: started, not yet expired, not ended early.
#
# Everything is an SQL expression over the current rows (Exists subqueries), so a
# list filters in the database with a constant number of queries and nothing is
# cached: a withdrawal, an expiry or the end of a role counts on the next request.

BASIS_OWN_AGENCY = "own_agency"
BASIS_COORDINATION = "coordination"
BASIS_CONSENT = "consent"
BASIS_OVERRIDE = "override"
BASES = (BASIS_OWN_AGENCY, BASIS_COORDINATION, BASIS_CONSENT, BASIS_OVERRIDE)


@dataclass(frozen=True)
class Moment:
    """The instant a policy decision is made: `now` for overrides, `today` (in
    TIME_ZONE) for consent dates. Tests and the reminders scan may pass their own."""

    now: datetime
    today: date

    @classmethod
    def at(cls, now: datetime | None = None, today: date | None = None) -> Moment:
        now = now or timezone.now()
        return cls(now=now, today=today or timezone.localdate(now))


def active_consents(*, agency_id: Any, today: date) -> QuerySet[Consent]:
    """Consents in force today that share with the agency (any person, any category)."""
    return Consent.objects.filter(
        decision=ConsentDecision.GIVEN,
        withdrawn_at__isnull=True,
        agency_id=agency_id,
        valid_from__lte=today,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def active_overrides(*, professional: Professional, now: datetime) -> QuerySet[SafeguardingAccess]:
    return SafeguardingAccess.objects.filter(
        professional=professional, started_at__lte=now, expires_at__gt=now, ended_at__isnull=True
    )


def consent_covers_expr(professional: Professional, moment: Moment) -> Q:
    """True where the record is about at least one person and every one of them has an
    active consent for the record's category with the viewer's agency."""
    about = Record.about.through.objects.filter(record_id=OuterRef("pk"))
    covered = active_consents(agency_id=professional.agency_id, today=moment.today).filter(
        person_id=OuterRef("person_id"), category=OuterRef(OuterRef("category"))
    )
    uncovered = about.filter(~Exists(covered))
    return Q(Exists(about)) & ~Q(Exists(uncovered))


def override_expr(professional: Professional, moment: Moment) -> Exists:
    """True where the viewer holds an active override on the record's case and category."""
    return Exists(
        active_overrides(professional=professional, now=moment.now).filter(
            case_id=OuterRef("case_id"), category=OuterRef("category")
        )
    )


def records_visible_to(
    professional: Professional | None, *, case: Case | None = None, moment: Moment | None = None
) -> QuerySet[Record]:
    """Every record the professional may see (of one case, or of all cases they can
    see), annotated with `basis`. Case visibility is part of the predicate.

    The consent and override tests are aliases resolved once and referenced twice:
    in the WHERE clause (any rule holds) and in the `basis` CASE (the first that
    holds). A count() drops the CASE, so each rule runs once per row there."""
    if professional is None:
        return Record.objects.none()
    moment = moment or Moment.at()
    own = Q(author_agency_id=professional.agency_id)
    coordination = Q(category=Category.GENERAL)
    where = Q(case_id__in=visible_case_ids(professional)) & (
        own | coordination | Q(shared_by_consent=True) | Q(shared_by_override=True)
    )
    if case is not None:
        where &= Q(case=case)
    # One alias / filter / annotate each: every queryset clone copies the subqueries.
    return (
        Record.objects.alias(
            shared_by_consent=ExpressionWrapper(consent_covers_expr(professional, moment), output_field=BooleanField()),
            shared_by_override=override_expr(professional, moment),
        )
        .filter(where)
        .annotate(
            basis=DbCase(
                When(own, then=Value(BASIS_OWN_AGENCY)),
                When(coordination, then=Value(BASIS_COORDINATION)),
                When(shared_by_consent=True, then=Value(BASIS_CONSENT)),
                # The WHERE clause guarantees one rule holds: the last one needs no test.
                default=Value(BASIS_OVERRIDE),
                output_field=CharField(),
            )
        )
    )


def records_bypassing_policy(*, case: Case) -> QuerySet[Record]:
    """The same query shape with the record policy switched off (every record of the
    case, basis empty). For the benchmark only: no view or selector may use it."""
    return Record.objects.filter(case=case).annotate(basis=Value("", output_field=CharField()))


def record_basis(professional: Professional | None, record_id: Any, *, moment: Moment | None = None) -> str | None:
    """The basis on which the professional may see one record, or None. The same
    predicate as the lists, so a record is never visible in one place and not another."""
    if professional is None:
        return None
    visible = records_visible_to(professional, moment=moment).filter(pk=record_id)
    return visible.values_list("basis", flat=True).first()  # type: ignore[misc]
