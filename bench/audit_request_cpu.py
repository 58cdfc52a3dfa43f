"""CPU per request of the audit trail's reads, in-process (issue 9), on a seeded bench world:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ju_audit_1m .venv/bin/python bench/audit_request_cpu.py \
        [--n 200] [--profile person]

For the IG trail's first pages (`GET /api/v1/audit/?person=|case=|actor=`), the person's CSV and
`GET /api/v1/records/<id>/` (with its audit INSERT, and with it bypassed), the mean CPU time of this
process per call (`time.process_time()`: robust to other work on the machine, unlike wall time) and
the SQL queries each makes; `--profile NAME` prints cProfile's top functions for that read. The
reads are `bench/scenarios/audit_scale.py`'s, as the same IG lead and viewer. Not part of the suite."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def _log(captured: list[str], execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    captured.append(sql)
    return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200, help="calls per read")
    parser.add_argument("--profile", default="", help="a read to profile with cProfile")
    args = parser.parse_args()
    import django

    django.setup()
    from unittest import mock

    from django.db import connection

    from agencies.throttling import ExportThrottle
    from bench import seed
    from bench.scenarios import Context
    from bench.scenarios.audit_scale import _api, _get, _record_for, _targets
    from sharing import selectors

    ExportThrottle.allow_request = lambda *a, **k: True  # type: ignore[method-assign]  # not what is measured
    viewer = seed.pick_viewer()
    ctx = Context(100_000, "100k", "", viewer, 0, 0, 0, print)
    t = _targets(ctx)
    ig, reader = _api(t["ig"].user), _api(t["viewer"].user)
    record = _record_for(t)
    read = _get(reader, f"/api/v1/records/{record.pk}/")

    def read_unaudited() -> object:
        with mock.patch.object(selectors, "audit_record_many", lambda *a, **k: None):
            return read()

    fns = {
        "person": _get(ig, f"/api/v1/audit/?person={t['person'].pk}"),
        "case": _get(ig, f"/api/v1/audit/?case={t['case'].pk}"),
        "actor": _get(ig, f"/api/v1/audit/?actor={t['viewer'].pk}"),
        "csv": _get(ig, f"/api/v1/audit/export/?person={t['person'].pk}"),
        "read_audited": read,
        "read_unaudited": read_unaudited,
    }
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, fn in fns.items():
        fn()
        captured: list[str] = []
        with connection.execute_wrapper(partial(_log, captured)):
            fn()
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(args.n):
            fn()
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        print(
            f"{name:15} CPU {1000 * cpu / args.n:6.2f} ms/request, wall {1000 * wall / args.n:6.2f} ms, "
            f"{len(captured)} queries"
        )
        if name == args.profile:
            for sql in captured:
                print("   ", sql[:200])
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                fn()
            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(25)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
