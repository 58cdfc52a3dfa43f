"""The audit_scale benchmark at a small size: it generates exactly the events asked for,
in their months' partitions, measures every read it reports (with the EXPLAIN of each
filtered page), and leaves the trail empty again."""

import pytest
from django.db import connection

from audit.models import AuditEvent
from audit.partitions import partitions_attached
from bench.scenarios import Context, audit_scale
from bench.seed import pick_viewer, seed_world

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_small_audit_scale_run_generates_measures_and_cleans_up(monkeypatch):
    seed_world(n_cases=60, milestones_per_case=2, seed=5, prefix="a")
    monkeypatch.setenv("BENCH_AUDIT_EVENTS", "3000,12000")
    monkeypatch.setattr(audit_scale, "ROUNDS", 1)
    monkeypatch.setattr(audit_scale, "ROUND_SECONDS", 0.05)
    seen = {}
    real_measure = audit_scale.measure

    def measure(worlds, ctx):  # [(events, database or None)]: one run each, timed together
        runs = real_measure(worlds, ctx)
        for (total, _), run in zip(worlds, runs, strict=True):
            seen[total] = (run["events"], len(partitions_attached()))
        return runs

    monkeypatch.setattr(audit_scale, "measure", measure)
    ctx = Context(
        size=60, label="60", database_url="", viewer=pick_viewer(), duration=0, connections=0, threads=0, log=print
    )
    section = audit_scale.audit_scale(ctx)
    assert seen[3000][0] == 3000 and seen[12000][0] == 12000
    assert seen[12000][1] >= 13  # twelve months back, this month and the ones made ahead
    assert [row[0] for row in section.rows] == list(audit_scale.LABELS.values())
    assert all(isinstance(v, float) and v > 0 for row in section.rows for v in row[1:5])
    assert len(section.checks) == 3 * 2 + 2 * 2
    plans = [n for n in section.notes if n.startswith("EXPLAIN")]
    assert len(plans) >= 4 and all("Execution Time" in n for n in plans)
    assert AuditEvent.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_audit_source')")
        assert cursor.fetchone()[0] is None
