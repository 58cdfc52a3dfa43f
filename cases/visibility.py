"""The visibility gate: the one place that decides who sees a case.

A professional sees a case when they hold an active role assignment on it, or
lead a team one of whose members holds one. Everyone else sees nothing of the
case (404). Evaluated in the database at every read (the `CaseVisible`
predicate), so nothing can go stale. Pages, API, search, exports and
notifications read cases through cases.selectors, which call this module.

Floor 4. May use: agencies (and Django).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet, UUIDField

from agencies.models import Professional, Team
from agencies.prepared import bind
from cases.models import Case, RoleAssignment
from cases.sql import RowSQL

_UUID = UUIDField()  # for its get_db_prep_value only


def active_assignments() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(ended_on__isnull=True)


class MemberOf(RowSQL):
    """True where the professional holds an active assignment on the outer case (the gate's
    `is_member`): one indexed EXISTS, written by hand as `CaseVisible` is (the ORM's Exists cost
    milliseconds of Python to compile at every case-scoped request)."""

    conditional = True

    def __init__(self, *, professional_id: Any, alias: str | None = None) -> None:
        super().__init__(model=Case, output_field=BooleanField(), alias=alias)
        self.professional_id = professional_id

    def key(self) -> tuple[Any, ...]:
        return (self.professional_id,)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        q = connection.ops.quote_name
        ra = q(RoleAssignment._meta.db_table)
        sql = (
            f"EXISTS (SELECT 1 FROM {ra} ma WHERE ma.{q('case_id')} = {self.outer(compiler)}.{q('id')} "  # noqa: S608
            f"AND ma.{q('ended_on')} IS NULL AND ma.{q('professional_id')} = %s)"
        )
        return sql, (bind(self.professional_id, _UUID, connection),)


class LeadsMemberOf(MemberOf):
    """True where the professional leads the team of someone actively on the outer case (the
    gate's `leads_member`)."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        q = connection.ops.quote_name
        ra = q(RoleAssignment._meta.db_table)
        prof = q(Professional._meta.db_table)
        team = q(Team._meta.db_table)
        sql = (
            f"EXISTS (SELECT 1 FROM {ra} la "  # noqa: S608
            f"INNER JOIN {prof} lp ON lp.{q('id')} = la.{q('professional_id')} "
            f"INNER JOIN {team} lt ON lt.{q('id')} = lp.{q('team_id')} "
            f"WHERE la.{q('case_id')} = {self.outer(compiler)}.{q('id')} "
            f"AND la.{q('ended_on')} IS NULL AND lt.{q('lead_id')} = %s)"
        )
        return sql, (bind(self.professional_id, _UUID, connection),)


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
    case = case_access_query(case_id=case_id, professional_id=professional.pk, annotations=annotations).first()
    if case is not None:
        mark_checked(case, professional)
    return case


def case_access_query(
    *, case_id: Any, professional_id: Any, annotations: dict[str, Any] | None = None
) -> QuerySet[Case]:
    """The query of `case_with_access`: the case if the professional may see it, annotated with how,
    with its lead professional and their agency. Its ids may be Slots of a prepared query
    (agencies.prepared), as the case gate of cases.selectors prepares it."""
    return (
        Case.objects.filter(pk=case_id)
        .annotate(
            is_member=MemberOf(professional_id=professional_id),
            leads_member=LeadsMemberOf(professional_id=professional_id),
        )
        .filter(Q(is_member=True) | Q(leads_member=True))
        .annotate(**(annotations or {}))
        .select_related("lead_professional__agency")
        .order_by()
    )


def mark_checked(case: Case, professional: Professional) -> None:
    """This Case object was loaded through the visibility predicate for this professional just now."""
    case.visible_to_professional_id = professional.pk  # type: ignore[attr-defined]


def checked_visible(case: Case | None, professional: Professional) -> bool:
    """Whether this Case object came from `case_with_access` for this professional (in
    this request: instances are not shared between requests), so its visibility was
    decided a moment ago by the same predicate and need not be evaluated again."""
    return case is not None and getattr(case, "visible_to_professional_id", None) == professional.pk


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
        me = bind(professional_id, _UUID, connection)
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


class CoordinatedBy(RowSQL):
    """True where the case whose id is the outer row's `column` is coordinated by the
    professional: they are its lead professional, or hold the team lead (oversight) role on its
    team. Driven from the professional's own cases (two indexed lookups, a UNION), so its cost
    follows their caseload: the OR of the lead column and an EXISTS per row made PostgreSQL read
    every open milestone of the deployment (557 ms at 100,000 cases).

        :column IN (SELECT id FROM cases WHERE lead professional = :professional
                    UNION
                    SELECT case_id FROM role assignments
                    WHERE active AND role = team lead AND professional = :professional)
    """

    conditional = True

    def __init__(self, *, professional_id: Any, model: Any, column: str = "case_id", alias: str | None = None) -> None:
        super().__init__(model=model, output_field=BooleanField(), alias=alias)
        self.professional_id = professional_id
        self.column = column

    def key(self) -> tuple[Any, ...]:
        return (self.professional_id, self.column)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        from cases.models import Role

        q = connection.ops.quote_name
        cases = q(Case._meta.db_table)
        ra = q(RoleAssignment._meta.db_table)
        me = bind(self.professional_id, _UUID, connection)
        sql = (
            f"{self.outer(compiler)}.{q(self.column)} IN ("  # noqa: S608
            f"SELECT cc.{q('id')} FROM {cases} cc WHERE cc.{q('lead_professional_id')} = %s "
            f"UNION SELECT cr.{q('case_id')} FROM {ra} cr WHERE cr.{q('ended_on')} IS NULL "
            f"AND cr.{q('role')} = %s AND cr.{q('professional_id')} = %s)"
        )
        return sql, (me, Role.TEAM_LEAD.value, me)
