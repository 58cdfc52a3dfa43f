"""Bulk seeding of a benchmark world with PostgreSQL COPY.

Bypasses the services for speed (a million milestones through the ORM would take
hours) but writes data that satisfies every model constraint and invariant the
services keep: one active lead-professional assignment per case that matches
`Case.lead_professional`, unique `C-YYYY-NNNNN` references (and the reference
counters moved past them), every milestone and review accountable to a member
of the case team, django-guardian object permissions for every active
assignment, as `cases.services` grants them. `check_invariants` proves it after
seeding; tests/bench/test_bench_seed.py runs both on a small world.

Shape for N cases (N = 100,000 in the full run):
  professionals N/10 in teams of 10 (the first member of each team leads it, and
  is a manager), N/10/10/20 agencies (at least 2); each case has 1-3 people, a
  lead professional, usually a key worker, 0-2 contributors, sometimes the lead's
  team lead for oversight, sometimes an ended assignment; 2-3 goals; exactly
  `milestones_per_case` milestones (10) with due dates spread a year either side
  of today; one review. About 15 % of cases are closed.

Must run with Django set up against the target database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection, models, transaction
from django.utils import timezone

from agencies.models import Agency, Professional, Team
from cases.models import Case, CaseReferenceCounter, CaseUserObjectPermission, Person, RoleAssignment
from plans.models import Goal, Milestone, Review

BENCH_PASSWORD = "Bench-pass-phrase-2026"
NULL = r"\N"
REFERENCE_RE = re.compile(r"^C-\d{4}-\d{5,}$")

AGENCY_KINDS = ["social_care", "health", "education", "police", "housing", "voluntary"]
WORKER_PROFESSIONS = [
    "social_worker",
    "nurse",
    "health_visitor",
    "gp",
    "teacher",
    "police_officer",
    "housing_officer",
    "support_worker",
]
GIVEN = ["Asha", "Ben", "Carys", "Dev", "Elin", "Femi", "Gwen", "Hari", "Ines", "Jon", "Kemi", "Luca", "Mair", "Nils"]
FAMILY = ["Adeyemi", "Brown", "Chen", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones", "Khan", "Lewis"]
MILESTONE_TITLES = [
    "Home visit",
    "School meeting",
    "GP appointment booked",
    "Housing application sent",
    "Benefits check",
    "Referral to counselling",
    "Attendance review",
    "Safety plan agreed",
    "Health assessment",
    "Family group conference",
]


@dataclass
class SeedReport:
    cases: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


# --- COPY plumbing -------------------------------------------------------------


def _text(value: Any) -> str:
    """One value in COPY text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class CopyWriter:
    """Buffers rows for one model's table and streams them with COPY.

    Rows give the fields named in `fields` (attnames) in order. Any other NOT NULL
    column (e.g. one added by a later migration) is filled from the field's
    default, so seeding keeps working as models grow; a NOT NULL column with no
    default is an error that names it."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], flush_every: int = 50_000) -> None:
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = [a for a in fields if a not in by_attname]
        if unknown:
            raise ValueError(f"{meta.label} has no fields {unknown}")
        columns = [by_attname[a].column for a in fields]
        column_fields = [by_attname[a] for a in fields]
        constant_fields: list[Any] = []
        callable_fields: list[Any] = []
        self.constants: list[Any] = []
        self.per_row: list[Any] = []
        callable_columns: list[str] = []
        now = timezone.now()
        for f in meta.concrete_fields:
            if f.attname in fields or f.null:
                continue
            if f.primary_key and isinstance(f, models.AutoField):
                continue  # the sequence fills it
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            elif f.has_default():
                if callable(f.default):
                    self.per_row.append(f.default)
                    callable_columns.append(f.column)
                    callable_fields.append(f)
                    continue
                value = f.default
            elif f.db_default is not models.NOT_PROVIDED:
                continue
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                value = ""  # text a form may leave empty (a case's plain title, say): empty
            else:
                raise RuntimeError(f"bench seed cannot fill NOT NULL column {meta.db_table}.{f.column}")
            columns.append(f.column)
            constant_fields.append(f)
            self.constants.append(value)
        self.columns = columns + callable_columns
        self.fields = column_fields + constant_fields + callable_fields
        self.table = meta.db_table
        self.rows: list[list[Any]] = []
        self.pending = 0
        self.written = 0
        self.flush_every = flush_every

    def row(self, values: Iterable[Any]) -> None:
        self.rows.append([*values, *self.constants, *(make() for make in self.per_row)])
        self.pending += 1
        if self.pending >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """PostgreSQL: one COPY. Any other database (the embedded SQLite of `make test`):
        one executemany INSERT with the fields' own database values."""
        if not self.pending:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO("".join("\t".join(_text(v) for v in row) + "\n" for row in self.rows))
                cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN", buffer)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                prepared = [
                    [f.get_db_prep_save(v, connection) for f, v in zip(self.fields, row, strict=True)]
                    for row in self.rows
                ]
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", prepared)  # noqa: S608
        self.written += self.pending
        self.pending = 0
        self.rows = []


# --- the world -------------------------------------------------------------------


def _db(value: uuid.UUID) -> Any:
    """A UUID as this database stores it (native on PostgreSQL, 32 hex digits on SQLite)."""
    return models.UUIDField().get_db_prep_value(value, connection)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _shape(n_cases: int) -> dict[str, int]:
    n_professionals = max(12, n_cases // 10)
    team_size = 10 if n_professionals >= 100 else 4
    n_teams = -(-n_professionals // team_size)
    n_agencies = max(2, n_teams // 20)
    return {
        "professionals": n_professionals,
        "team_size": team_size,
        "teams": n_teams,
        "agencies": n_agencies,
    }


def seed_world(
    *,
    n_cases: int,
    milestones_per_case: int = 10,
    seed: int = 2026,
    prefix: str = "bench",
    fast: bool = False,
    log: Any = None,
) -> SeedReport:
    """Seed the world into the current database (which already has the schema).

    `fast=True` (for the benchmark's throwaway database) skips foreign-key trigger
    checks during the load with `session_replication_role = replica`; without it,
    every deferred foreign key is checked before returning (SET CONSTRAINTS ALL
    IMMEDIATE), which the test relies on. Usernames are `<prefix>-NNNNN`."""
    say = log or (lambda msg: None)
    rng = random.Random(seed)
    shape = _shape(n_cases)
    today = timezone.localdate()
    now = timezone.now()
    report = SeedReport(cases=n_cases)
    started = time.perf_counter()
    phase_started = started

    def phase(name: str) -> None:
        nonlocal phase_started
        t = time.perf_counter()
        report.phases[name] = round(t - phase_started, 2)
        phase_started = t
        say(f"  {name}: {report.phases[name]:.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql"
        if fast and postgres:
            cursor.execute("SET LOCAL session_replication_role = replica")
        if postgres:
            cursor.execute("SET LOCAL synchronous_commit = off")

        # Agencies, users, teams, professionals.
        agencies = [_uuid(rng) for _ in range(shape["agencies"])]
        w = CopyWriter(Agency, ["id", "name", "kind", "information_governance_lead_id", "created_at"])
        for i, aid in enumerate(agencies):
            w.row([aid, f"{prefix} agency {i:03d}", AGENCY_KINDS[i % len(AGENCY_KINDS)], None, now])
        w.flush()

        User = get_user_model()
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{User._meta.db_table}"')
        first_user_id = cursor.fetchone()[0] + 1
        password = make_password(BENCH_PASSWORD)
        n_prof = shape["professionals"]
        w = CopyWriter(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
        )
        user_ids = list(range(first_user_id, first_user_id + n_prof))
        givens = [GIVEN[i % len(GIVEN)] for i in range(n_prof)]
        families = [FAMILY[(i // len(GIVEN)) % len(FAMILY)] for i in range(n_prof)]
        for i, user_id in enumerate(user_ids):
            w.row(
                [
                    user_id,
                    password,
                    None,
                    False,
                    f"{prefix}-{i:05d}",
                    givens[i],
                    families[i],
                    f"{prefix}-{i:05d}@example.org",
                    False,
                    True,
                    now,
                ]
            )
        w.flush()
        if postgres:  # SQLite's rowid continues from the largest id by itself
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [User._meta.db_table, user_ids[-1]])

        teams = [_uuid(rng) for _ in range(shape["teams"])]
        team_agency = [agencies[t * len(agencies) // len(teams)] for t in range(len(teams))]
        w = CopyWriter(Team, ["id", "agency_id", "name", "lead_id", "created_at"])
        for t, tid in enumerate(teams):
            w.row([tid, team_agency[t], f"Team {t:04d}", None, now])
        w.flush()

        professionals = [_uuid(rng) for _ in range(n_prof)]
        prof_team = [i // shape["team_size"] for i in range(n_prof)]
        is_team_lead = [i % shape["team_size"] == 0 for i in range(n_prof)]
        w = CopyWriter(
            Professional,
            [
                "id",
                "user_id",
                "agency_id",
                "team_id",
                "given_name",
                "family_name",
                "profession",
                "is_agency_admin",
                "is_active",
                "created_at",
            ],
        )
        for i, pid in enumerate(professionals):
            t = prof_team[i]
            w.row(
                [
                    pid,
                    user_ids[i],
                    team_agency[t],
                    teams[t],
                    givens[i],
                    families[i],
                    "manager" if is_team_lead[i] else WORKER_PROFESSIONS[i % len(WORKER_PROFESSIONS)],
                    False,
                    True,
                    now,
                ]
            )
        w.flush()
        team_lead_of_team = {t: professionals[i] for i, t in enumerate(prof_team) if is_team_lead[i]}
        cursor.executemany(
            f'UPDATE "{Team._meta.db_table}" SET lead_id = %s WHERE id = %s',
            [(_db(team_lead_of_team[t]), _db(tid)) for t, tid in enumerate(teams)],
        )
        # Each agency's IG lead: the lead of its first team.
        first_team_of_agency: dict[uuid.UUID, int] = {}
        for t, aid in enumerate(team_agency):
            first_team_of_agency.setdefault(aid, t)
        cursor.executemany(
            f'UPDATE "{Agency._meta.db_table}" SET information_governance_lead_id = %s WHERE id = %s',
            [(_db(team_lead_of_team[t]), _db(aid)) for aid, t in first_team_of_agency.items()],
        )
        phase("agencies, teams, professionals")

        # Cases and everything in them.
        workers = [i for i in range(n_prof) if not is_team_lead[i]]
        perm_ids = {
            p.codename: p.id
            for p in Permission.objects.filter(
                content_type__app_label="cases", codename__in=["view_case", "contribute_case", "manage_case"]
            )
        }
        opened = sorted(now - dt.timedelta(seconds=rng.randrange(4 * 365 * 86400)) for _ in range(n_cases))
        counters = {c.year: c.last for c in CaseReferenceCounter.objects.all()}

        case_w = CopyWriter(
            Case,
            [
                "id",
                "reference",
                "title",
                "lead_professional_id",
                "status",
                "opened_by_id",
                "opened_at",
                "closed_at",
                "closed_by_id",
                "closure_reason",
                "updated_at",
            ],
        )
        person_w = CopyWriter(
            Person,
            [
                "id",
                "given_name",
                "family_name",
                "date_of_birth",
                "preferred_language",
                "interpreter_needed",
                "registered_by_id",
                "user_id",
                "created_at",
            ],
        )
        people_w = CopyWriter(Case.people.through, ["case_id", "person_id"])
        assign_w = CopyWriter(
            RoleAssignment,
            [
                "id",
                "case_id",
                "professional_id",
                "role",
                "started_on",
                "ended_on",
                "assigned_by_id",
                "ended_by_id",
                "created_at",
            ],
        )
        perm_w = CopyWriter(CaseUserObjectPermission, ["permission_id", "user_id", "content_object_id"])
        goal_w = CopyWriter(
            Goal,
            [
                "id",
                "case_id",
                "description",
                "measure",
                "target_date",
                "plain_summary",
                "status",
                "created_by_id",
                "created_at",
            ],
        )
        milestone_w = CopyWriter(
            Milestone,
            [
                "id",
                "case_id",
                "goal_id",
                "title",
                "plain_summary",
                "due_date",
                "accountable_id",
                "status",
                "completed_at",
                "completed_by_id",
                "created_by_id",
                "created_at",
            ],
        )
        review_w = CopyWriter(
            Review,
            [
                "id",
                "case_id",
                "kind",
                "scheduled_for",
                "accountable_id",
                "status",
                "completed_at",
                "created_by_id",
                "created_at",
            ],
        )
        langs = ["en"] * 8 + ["cy", "pl", "ar", "ro"]
        for n, opened_at in enumerate(opened):
            year = opened_at.year
            counters[year] = counters.get(year, 0) + 1
            case_id = _uuid(rng)
            lead = rng.choice(workers)
            lead_pk = professionals[lead]
            opened_on = opened_at.date()
            closed = rng.random() < 0.15
            closed_at = opened_at + dt.timedelta(days=rng.randrange(30, 400)) if closed else None
            if closed_at is not None and closed_at > now:
                closed_at = now
            case_w.row(
                [
                    case_id,
                    f"C-{year}-{counters[year]:05d}",
                    f"Family support {n}",
                    lead_pk,
                    "closed" if closed else "open",
                    lead_pk,
                    opened_at,
                    closed_at,
                    lead_pk if closed else None,
                    "Plan completed and family agreed" if closed else "",
                    closed_at or now,
                ]
            )
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                person_id = _uuid(rng)
                dob = today - dt.timedelta(days=rng.randrange(365, 90 * 365))
                lang = rng.choice(langs)
                person_w.row(
                    [
                        person_id,
                        rng.choice(GIVEN),
                        rng.choice(FAMILY),
                        dob,
                        lang,
                        lang != "en",
                        lead_pk,
                        None,
                        opened_at,
                    ]
                )
                people_w.row([case_id, person_id])

            # The case team: (professional index, role). The lead first.
            team = [(lead, "lead_professional")]
            taken = {lead}
            extra_roles = []
            if rng.random() < 0.6:
                extra_roles.append("key_worker")
            extra_roles += ["contributor"] * rng.choice((0, 1, 1, 2))
            for role in extra_roles:
                who = rng.choice(workers)
                if who not in taken:
                    taken.add(who)
                    team.append((who, role))
            team_lead = prof_team[lead] * shape["team_size"]  # the first member of a team leads it
            if rng.random() < 0.2 and team_lead not in taken:
                taken.add(team_lead)
                team.append((team_lead, "team_lead"))
            for who, role in team:
                assign_w.row([_uuid(rng), case_id, professionals[who], role, opened_on, None, lead_pk, None, opened_at])
                perm_w.row([perm_ids["view_case"], user_ids[who], case_id])
                perm_w.row([perm_ids["contribute_case"], user_ids[who], case_id])
                if role in ("lead_professional", "team_lead"):
                    perm_w.row([perm_ids["manage_case"], user_ids[who], case_id])
            if rng.random() < 0.1:
                # Someone who left the team: ended assignment, permissions revoked.
                who = rng.choice(workers)
                if who not in taken:
                    ended_on = min(today, opened_on + dt.timedelta(days=rng.randrange(1, 200)))
                    assign_w.row(
                        [
                            _uuid(rng),
                            case_id,
                            professionals[who],
                            "contributor",
                            opened_on,
                            ended_on,
                            lead_pk,
                            lead_pk,
                            opened_at,
                        ]
                    )

            members = [professionals[who] for who, _ in team]
            goals = []
            for g in range(rng.choice((2, 2, 3))):
                goal_id = _uuid(rng)
                goals.append(goal_id)
                goal_status = "achieved" if closed else "active"
                goal_w.row(
                    [
                        goal_id,
                        case_id,
                        f"Goal {g + 1}: the family is safe and settled",
                        "Reviewed at each case review",
                        today + dt.timedelta(days=rng.randrange(-200, 400)),
                        "Things get better at home",
                        goal_status,
                        lead_pk,
                        opened_at,
                    ]
                )
            for m in range(milestones_per_case):
                due = today + dt.timedelta(days=rng.randrange(-365, 366))
                accountable = lead_pk if rng.random() < 0.35 else rng.choice(members)
                r = rng.random()
                if closed or (due < today and r < 0.92):
                    status = "cancelled" if r > 0.97 else "completed"
                elif due >= today and r < 0.04:
                    status = "completed"
                else:
                    status = "open"
                completed_at = completed_by = None
                if status == "completed":
                    completed_at = dt.datetime.combine(min(due, today), dt.time(12), tzinfo=dt.UTC)
                    completed_by = accountable
                milestone_w.row(
                    [
                        _uuid(rng),
                        case_id,
                        goals[m % len(goals)],
                        MILESTONE_TITLES[m % 10],
                        "A step in your plan",
                        due,
                        accountable,
                        status,
                        completed_at,
                        completed_by,
                        lead_pk,
                        opened_at,
                    ]
                )
            review_due = today + dt.timedelta(days=rng.randrange(-120, 120))
            review_done = closed or review_due < today
            review_w.row(
                [
                    _uuid(rng),
                    case_id,
                    "case_review",
                    review_due,
                    rng.choice(members),
                    "completed" if review_done else "open",
                    dt.datetime.combine(min(review_due, today), dt.time(10), tzinfo=dt.UTC) if review_done else None,
                    lead_pk,
                    opened_at,
                ]
            )
            if (n + 1) % 20_000 == 0:
                say(f"  ... {n + 1} cases generated")
        for w in (case_w, person_w, people_w, assign_w, perm_w, goal_w, milestone_w, review_w):
            w.flush()
        for year, last in counters.items():
            CaseReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
        phase("cases, people, team, plans, milestones")

        if not fast and postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif not fast:
            connection.check_constraints()

    report.counts = {
        "agencies": len(agencies),
        "teams": len(teams),
        "professionals": n_prof,
        "cases": case_w.written,
        "people": person_w.written,
        "role_assignments": assign_w.written,
        "object_permissions": perm_w.written,
        "goals": goal_w.written,
        "milestones": milestone_w.written,
        "reviews": review_w.written,
    }
    if fast and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
        phase("vacuum analyze")
    report.seconds = round(time.perf_counter() - started, 1)
    return report


# --- proof ---------------------------------------------------------------------


def check_invariants() -> dict[str, int]:
    """Counts of violations (all zero when the world is sound)."""
    a = RoleAssignment._meta.db_table
    c = Case._meta.db_table
    m = Milestone._meta.db_table
    r = Review._meta.db_table
    u = CaseUserObjectPermission._meta.db_table
    p = Professional._meta.db_table
    queries = {
        # Exactly one active lead assignment per case, and it is the case's lead professional.
        "cases_without_exactly_one_active_lead": f"""
            SELECT count(*) FROM {c} WHERE (
              SELECT count(*) FROM {a} WHERE {a}.case_id = {c}.id AND role = 'lead_professional'
                AND ended_on IS NULL) <> 1""",
        "cases_whose_lead_is_not_the_lead_assignment": f"""
            SELECT count(*) FROM {c} WHERE NOT EXISTS (
              SELECT 1 FROM {a} WHERE {a}.case_id = {c}.id AND role = 'lead_professional' AND ended_on IS NULL
                AND {a}.professional_id = {c}.lead_professional_id)""",
        "duplicate_references": f"SELECT count(*) - count(DISTINCT reference) FROM {c}",
        "milestones_accountable_not_on_team": f"""
            SELECT count(*) FROM {m} WHERE NOT EXISTS (
              SELECT 1 FROM {a} WHERE {a}.case_id = {m}.case_id AND {a}.professional_id = {m}.accountable_id
                AND ended_on IS NULL)""",
        "reviews_accountable_not_on_team": f"""
            SELECT count(*) FROM {r} WHERE NOT EXISTS (
              SELECT 1 FROM {a} WHERE {a}.case_id = {r}.case_id AND {a}.professional_id = {r}.accountable_id
                AND ended_on IS NULL)""",
        "active_assignments_without_view_permission": f"""
            SELECT count(*) FROM {a} JOIN {p} ON {p}.id = {a}.professional_id
            WHERE ended_on IS NULL AND NOT EXISTS (
              SELECT 1 FROM {u} WHERE {u}.content_object_id = {a}.case_id AND {u}.user_id = {p}.user_id)""",
        "milestones_goal_of_another_case": f"""
            SELECT count(*) FROM {m} JOIN {Goal._meta.db_table} g ON g.id = {m}.goal_id
            WHERE g.case_id <> {m}.case_id""",
    }
    result = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            result[name] = cursor.fetchone()[0]
        cursor.execute(f"SELECT reference FROM {c}")
        result["malformed_references"] = sum(1 for (ref,) in cursor.fetchall() if not REFERENCE_RE.match(ref))
    return result


@dataclass
class Viewer:
    """The professional whose My work and case list the benchmark loads."""

    professional_id: uuid.UUID
    user_id: int
    username: str
    cases: int
    open_milestones: int
    case_ids: list[uuid.UUID]


def pick_viewer(*, target_cases: int = 20, target_open_milestones: int = 50) -> Viewer:
    """A case worker (not a team lead) with a realistic caseload: closest to
    `target_cases` visible cases and `target_open_milestones` open milestones."""
    a = RoleAssignment._meta.db_table
    m = Milestone._meta.db_table
    p = Professional._meta.db_table
    t = Team._meta.db_table
    u = get_user_model()._meta.db_table
    sql = f"""
        WITH load AS (
          SELECT p.id, p.user_id,
            (SELECT count(*) FROM {a} WHERE {a}.professional_id = p.id AND ended_on IS NULL) AS cases,
            (SELECT count(*) FROM {m} WHERE {m}.accountable_id = p.id AND status = 'open') AS open_ms
          FROM {p} p WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE {t}.lead_id = p.id)
        )
        SELECT load.id, load.user_id, {u}.username, cases, open_ms FROM load JOIN {u} ON {u}.id = load.user_id
        ORDER BY abs(cases - %s) * 3 + abs(open_ms - %s), load.id LIMIT 1"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [target_cases, target_open_milestones])
        pid, user_id, username, cases, open_ms = cursor.fetchone()
        cursor.execute(
            f"SELECT case_id FROM {a} WHERE professional_id = %s AND ended_on IS NULL ORDER BY case_id", [pid]
        )
        case_ids = [uuid.UUID(str(row[0])) for row in cursor.fetchall()]
    return Viewer(uuid.UUID(str(pid)), user_id, username, cases, open_ms, case_ids)
