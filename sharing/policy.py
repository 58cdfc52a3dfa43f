"""The record policy: the one place that decides who sees which record, and on what basis.

Pages, API, search and exports read records through sharing.selectors, which
call this module; nothing else filters records by itself. Who sees the case at
all is cases.visibility's decision, used here.

Floor 5. May use: cases, agencies (and Django). Never plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import CharField, DateField, DateTimeField, Q, QuerySet, UUIDField
from django.utils import timezone

from agencies.models import Professional
from agencies.prepared import bind
from cases.models import Case
from cases.sql import RowSQL
from cases.visibility import CaseVisible, checked_visible
from sharing.models import Category, Consent, ConsentDecision, Record, SafeguardingAccess

# --- Records ------------------------------------------------------------------
#
# A professional who can see a case sees a record of it when any one of these
# holds, checked in this order; the first that holds is the *basis* of the read
# (recorded in the audit trail):
#
#   1. own_agency    the record was written by someone of the viewer's agency;
#   2. coordination  the category is `general`;
#   3. consent       for every person the record is about, the latest decision in
#                    force today (within its dates) for this category and the
#                    viewer's agency is given and not withdrawn;
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


def active_overrides(*, professional: Professional, now: datetime) -> QuerySet[SafeguardingAccess]:
    return SafeguardingAccess.objects.filter(
        professional=professional, started_at__lte=now, expires_at__gt=now, ended_at__isnull=True
    )


class RecordBasis(RowSQL):
    """The basis of the viewer's sight of the outer record row, as one SQL CASE:
    'own_agency', 'coordination', 'consent', 'override', or NULL when none holds.

        CASE WHEN r.author_agency_id = :agency           THEN 'own_agency'
             WHEN r.category = 'general'                 THEN 'coordination'
             WHEN the record is about someone, and for everyone it is about the
                  latest decision in force today for r.category with :agency is
                  given and not withdrawn                 THEN 'consent'
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
        agency = bind(self.agency_id, _UUID, connection)
        today = bind(self.moment.today, _DATE, connection)
        now = bind(self.moment.now, _WHEN, connection)

        # The latest decision in force decides: a consent counts when it is given, not
        # withdrawn and within its dates today, and no decision recorded after it (for the
        # same person, category and agency) is in force today. A later refusal or a
        # withdrawal of the latest decision stops sharing; a later `given` restores it.
        def in_force(t: str) -> str:
            return (
                f"{t}.{q('agency_id')} = %s AND {t}.{q('valid_from')} <= %s "
                f"AND ({t}.{q('valid_until')} IS NULL OR {t}.{q('valid_until')} >= %s)"
            )

        active = (
            f"{in_force('sc')} AND sc.{q('decision')} = %s AND sc.{q('withdrawn_at')} IS NULL "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {q(consent)} sl WHERE sl.{q('person_id')} = sc.{q('person_id')} "
            f"AND sl.{q('category')} = sc.{q('category')} AND {in_force('sl')} "
            f"AND (sl.{q('created_at')} > sc.{q('created_at')} "
            f"OR (sl.{q('created_at')} = sc.{q('created_at')} AND sl.{q('id')} > sc.{q('id')})))"
        )
        active_params = [agency, today, today, ConsentDecision.GIVEN.value, agency, today, today]
        about_rows = f"FROM {q(about)} sa WHERE sa.{q('record_id')} = {r}.{q('id')}"
        if self.case_id is None:
            # Across cases: per record, no person it is about lacks a consent in force.
            consented = (
                f"EXISTS (SELECT 1 {about_rows}) AND NOT EXISTS (SELECT 1 {about_rows} "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {q(consent)} sc WHERE sc.{q('person_id')} = sa.{q('person_id')} "
                f"AND sc.{q('category')} = {r}.{q('category')} AND {active}))"
            )
            consented_params = active_params
        else:
            # One case's records: the consents in force of the case's people, gathered once per
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
            consented_params = [*active_params, bind(self.case_id, _UUID, connection)]
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
            bind(self.professional_id, _UUID, connection),
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
    if case is not None and checked_visible(case, professional):
        return checked_case_records(
            agency_id=professional.agency_id,
            professional_id=professional.pk,
            case_id=case.pk,
            moment=moment or Moment.at(),
        )
    basis = RecordBasis(
        agency_id=professional.agency_id,
        professional_id=professional.pk,
        moment=moment or Moment.at(),
        case_id=case.pk if case is not None else None,
    )
    where = Q(basis__isnull=False)
    if case is not None:
        where &= Q(case_id=case.pk)
    where &= Q(CaseVisible(professional_id=professional.pk, model=Record, column="case_id"))
    return Record.objects.annotate(basis=basis).filter(where)


def checked_case_records(*, agency_id: Any, professional_id: Any, case_id: Any, moment: Moment) -> QuerySet[Record]:
    """`records_visible_to` for a case the professional was just let through the gate
    (`case_with_access`), by ids: each argument may be a Slot of a prepared query
    (agencies.prepared), the moment's too."""
    basis = RecordBasis(agency_id=agency_id, professional_id=professional_id, moment=moment, case_id=case_id)
    return Record.objects.annotate(basis=basis).filter(basis__isnull=False, case_id=case_id)


def record_basis(professional: Professional | None, record_id: Any, *, moment: Moment | None = None) -> str | None:
    """The basis on which the professional may see one record, or None. The same
    predicate as the lists, so a record is never visible in one place and not another."""
    if professional is None:
        return None
    visible = records_visible_to(professional, moment=moment).filter(pk=record_id)
    return visible.values_list("basis", flat=True).first()  # type: ignore[misc]
