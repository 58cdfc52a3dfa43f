"""The sharing policy: the one place that decides who sees what.

Pages, API, search, exports and notifications read through selectors that
call this module; nothing else filters cases or records by itself.

Case visibility: a professional sees a case when they hold an active role
assignment on it, or lead a team one of whose members holds one. Everyone else
sees nothing of the case (404). Evaluated in the database at every read (the
`CaseVisible` predicate), so nothing can go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    UUIDField,
    Value,
)
from django.utils import timezone

from agencies.models import Professional, Team
from cases.models import (
    Case,
    Category,
    Consent,
    ConsentDecision,
    Record,
    RoleAssignment,
    SafeguardingAccess,
)
from cases.sql import RowSQL


def active_assignments() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(ended_on__isnull=True)


def is_member_expr(professional: Professional) -> Exists:
    """True where the professional holds an active assignment on the case."""
    return Exists(active_assignments().filter(case=OuterRef("pk"), professional=professional))


def leads_member_expr(professional: Professional) -> Exists:
    """True where the professional leads the team of someone actively on the case."""
    return Exists(active_assignments().filter(case=OuterRef("pk"), professional__team__lead=professional))


def cases_visible_to(professional: Professional | None) -> QuerySet[Case]:
    """Every case the professional may see."""
    if professional is None:
        return Case.objects.none()
    return Case.objects.filter(CaseVisible(professional_id=professional.pk))


def case_with_access(
    professional: Professional | None, case_id: Any, *, annotations: dict[str, Any] | None = None
) -> Case | None:
    """The case if visible, annotated with how: `is_member` (on the team) and
    `leads_member` (leads the team of someone on it); None when not visible.
    `annotations` lets the caller load more in the same query (e.g. permissions)."""
    if professional is None:
        return None
    case = (
        Case.objects.filter(pk=case_id)
        .annotate(is_member=is_member_expr(professional), leads_member=leads_member_expr(professional))
        .filter(Q(is_member=True) | Q(leads_member=True))
        .annotate(**(annotations or {}))
        .select_related("lead_professional__agency")
        .first()
    )
    if case is not None:
        case.visible_to_professional_id = professional.pk  # type: ignore[attr-defined]
    return case


def _checked_visible(case: Case | None, professional: Professional) -> bool:
    """Whether this Case object came from `case_with_access` for this professional (in
    this request: instances are not shared between requests), so its visibility was
    decided a moment ago by the same predicate and need not be evaluated again."""
    return case is not None and getattr(case, "visible_to_professional_id", None) == professional.pk


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


class CaseVisible(RowSQL):
    """True where the professional may see the case whose id is the outer row's
    `column` (`id` on cases, `case_id` on records): they hold an active assignment on
    it, or lead the team of someone who does. A UNION of two indexed lookups driven
    from the viewer's own assignments, so its cost follows their caseload, not the
    size of the deployment (an OR across the team join made PostgreSQL scan every
    professional).

        :column IN (SELECT case_id FROM role assignments
                    WHERE active AND professional = :professional
                    UNION
                    SELECT case_id FROM role assignments JOIN professional JOIN team
                    WHERE active AND team lead = :professional)
    """

    conditional = True

    def __init__(
        self, *, professional_id: Any, model: Any = Case, column: str = "id", alias: str | None = None
    ) -> None:
        super().__init__(model=model, output_field=BooleanField(), alias=alias)
        self.professional_id = professional_id
        self.column = column

    def key(self) -> tuple[Any, ...]:
        return (self.professional_id, self.column)

    @staticmethod
    def ids_sql(professional_id: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        """The ids of the cases the professional may see, as one statement."""
        q = connection.ops.quote_name
        ra = q(RoleAssignment._meta.db_table)
        prof = q(Professional._meta.db_table)
        team = q(Team._meta.db_table)
        me = _UUID.get_db_prep_value(professional_id, connection)
        sql = (
            f"SELECT va.{q('case_id')} FROM {ra} va "  # noqa: S608
            f"WHERE va.{q('ended_on')} IS NULL AND va.{q('professional_id')} = %s "
            f"UNION SELECT vb.{q('case_id')} FROM {ra} vb "
            f"INNER JOIN {prof} vp ON vp.{q('id')} = vb.{q('professional_id')} "
            f"INNER JOIN {team} vt ON vt.{q('id')} = vp.{q('team_id')} "
            f"WHERE vb.{q('ended_on')} IS NULL AND vt.{q('lead_id')} = %s"
        )
        return sql, (me, me)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        ids, params = self.ids_sql(self.professional_id, connection)
        return f"{self.outer(compiler)}.{connection.ops.quote_name(self.column)} IN ({ids})", params


def visible_case_count(professional: Professional | None) -> int:
    """How many cases the professional may see (`cases_visible_to(p).count()`), counted from
    the assignment index alone: every assignment names an existing case, so the cases table
    need not be read. The count of a long case list's pagination."""
    if professional is None:
        return 0
    ids, params = CaseVisible.ids_sql(professional.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({ids}) visible", params)  # noqa: S608
        return int(cursor.fetchone()[0])


class RecordBasis(RowSQL):
    """The basis of the viewer's sight of the outer record row, as one SQL CASE:
    'own_agency', 'coordination', 'consent', 'override', or NULL when none holds.

        CASE WHEN r.author_agency_id = :agency           THEN 'own_agency'
             WHEN r.category = 'general'                 THEN 'coordination'
             WHEN the record is about someone, and everyone it is about has an
                  active consent for r.category with :agency today THEN 'consent'
             WHEN EXISTS (an active override of :professional on r.case_id
                          for r.category now)            THEN 'override'
        END
    """

    def __init__(
        self,
        *,
        agency_id: Any,
        professional_id: Any,
        moment: Moment,
        case_id: Any = None,
        alias: str | None = None,
    ) -> None:
        super().__init__(model=Record, output_field=CharField(), alias=alias)
        self.agency_id = agency_id
        self.professional_id = professional_id
        self.moment = moment
        self.case_id = case_id

    def key(self) -> tuple[Any, ...]:
        return (self.agency_id, self.professional_id, self.moment, self.case_id)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        q = connection.ops.quote_name
        r = self.outer(compiler)
        about = Record.about.through._meta.db_table
        consent = Consent._meta.db_table
        case_people = Case.people.through._meta.db_table
        override = SafeguardingAccess._meta.db_table
        agency = _UUID.get_db_prep_value(self.agency_id, connection)
        today = _DATE.get_db_prep_value(self.moment.today, connection)
        now = _WHEN.get_db_prep_value(self.moment.now, connection)
        active = (
            f"sc.{q('agency_id')} = %s AND sc.{q('decision')} = %s AND sc.{q('withdrawn_at')} IS NULL "
            f"AND sc.{q('valid_from')} <= %s AND (sc.{q('valid_until')} IS NULL OR sc.{q('valid_until')} >= %s)"
        )
        active_params = [agency, ConsentDecision.GIVEN.value, today, today]
        about_rows = f"FROM {q(about)} sa WHERE sa.{q('record_id')} = {r}.{q('id')}"
        if self.case_id is None:
            # Across cases: per record, no person it is about lacks an active consent.
            consented = (
                f"EXISTS (SELECT 1 {about_rows}) AND NOT EXISTS (SELECT 1 {about_rows} "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {q(consent)} sc WHERE sc.{q('person_id')} = sa.{q('person_id')} "
                f"AND sc.{q('category')} = {r}.{q('category')} AND {active}))"
            )
            consented_params = active_params
        else:
            # One case's records: the active consents of the case's people, gathered once per
            # query into a hashed set; each record is consented when the least of its people's
            # "is (person, category) in the set" is 1 (NULL, so not consented, when it is about
            # nobody). Records are only ever about people of their case (record_write checks
            # it, and people are never taken off a case); one that was not would fail closed.
            consented = (
                f"(SELECT min(CASE WHEN (sa.{q('person_id')}, {r}.{q('category')}) IN ("  # noqa: S608
                f"SELECT sc.{q('person_id')}, sc.{q('category')} FROM {q(consent)} sc WHERE {active} "
                f"AND sc.{q('person_id')} IN (SELECT cp.{q('person_id')} FROM {q(case_people)} cp "
                f"WHERE cp.{q('case_id')} = %s)) THEN 1 ELSE 0 END) {about_rows}) = 1"
            )
            consented_params = [*active_params, _UUID.get_db_prep_value(self.case_id, connection)]
        # Only identifiers from the models' metadata are formatted in; every value is bound.
        sql = (
            f"CASE WHEN {r}.{q('author_agency_id')} = %s THEN %s "  # noqa: S608
            f"WHEN {r}.{q('category')} = %s THEN %s "
            f"WHEN {consented} THEN %s "
            f"WHEN EXISTS (SELECT 1 FROM {q(override)} so WHERE so.{q('professional_id')} = %s "
            f"AND so.{q('case_id')} = {r}.{q('case_id')} AND so.{q('category')} = {r}.{q('category')} "
            f"AND so.{q('ended_at')} IS NULL AND so.{q('started_at')} <= %s AND so.{q('expires_at')} > %s) THEN %s "
            "ELSE NULL END"
        )
        params = [
            agency,
            BASIS_OWN_AGENCY,
            Category.GENERAL.value,
            BASIS_COORDINATION,
            *consented_params,
            BASIS_CONSENT,
            _UUID.get_db_prep_value(self.professional_id, connection),
            now,
            now,
            BASIS_OVERRIDE,
        ]
        return sql, tuple(params)


_UUID, _DATE, _WHEN = UUIDField(), DateField(), DateTimeField()  # for their get_db_prep_value only


def records_visible_to(
    professional: Professional | None, *, case: Case | None = None, moment: Moment | None = None
) -> QuerySet[Record]:
    """Every record the professional may see (of one case, or of all cases they can
    see), annotated with `basis` (see `RecordBasis`). Case visibility is part of the
    predicate, unless `case` came from `case_with_access` for this professional (the
    gate every case-scoped page and endpoint passes first): then it was just decided."""
    if professional is None:
        return Record.objects.none()
    basis = RecordBasis(
        agency_id=professional.agency_id,
        professional_id=professional.pk,
        moment=moment or Moment.at(),
        case_id=case.pk if case is not None else None,
    )
    where = Q(basis__isnull=False)
    if case is not None:
        where &= Q(case_id=case.pk)
    if not _checked_visible(case, professional):
        where &= Q(CaseVisible(professional_id=professional.pk, model=Record, column="case_id"))
    return Record.objects.annotate(basis=basis).filter(where)


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
