"""Seal + verify of one day's audit events (target: ≈140,000 events under 10 s), standalone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/audit_seal_bench.py [--events N]

Migrates the database named, COPYs N events spread over yesterday into an empty audit table
(it refuses to run on a database that already holds events), then times `audit.seal.seal()`
over them and `audit.seal.verify()` of the chain, wall and CPU time (`time.process_time()`, this
process only: robust to other work on the machine). Not part of the test suite."""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=140_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from audit.models import AuditEvent, AuditSeal
    from audit.seal import seal, verify

    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    call_command("migrate", verbosity=0)
    if AuditEvent.objects.exists() or AuditSeal.objects.exists():
        sys.exit("this database already holds audit events: use an empty one")
    start = timezone.now() - timedelta(days=1, minutes=2)  # all older than the sealing delay
    step = timedelta(days=1) / args.events
    buf = io.StringIO()
    for i in range(args.events):
        at = (start + i * step).isoformat()
        buf.write(f'{at}\tcases.record.viewed\t{i % 5000}\tBench Reader\tconsent\trecord\t{{"i": {i}}}\n')
    buf.seek(0)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY audit_auditevent (at, action, actor_user_id, actor_name, basis, subject_type, detail) FROM STDIN",
            buf,
        )
    connection.commit() if not connection.get_autocommit() else None
    loaded = time.perf_counter() - t0
    c0, t0 = time.process_time(), time.perf_counter()
    made = seal()
    sealed, sealed_cpu = time.perf_counter() - t0, time.process_time() - c0
    c0, t0 = time.process_time(), time.perf_counter()
    result = verify()
    verified, verified_cpu = time.perf_counter() - t0, time.process_time() - c0
    # Windows never cross a UTC month boundary: a day astride one is sealed as two seals.
    sealed_events = sum(AuditSeal.objects.values_list("events", flat=True))
    assert made is not None and sealed_events == args.events and result.ok, (sealed_events, result)
    print(
        f"{args.events} events: COPY {loaded:.2f} s, seal {sealed:.2f} s, verify {verified:.2f} s, "
        f"seal + verify {sealed + verified:.2f} s (target < 10 s); CPU of this process: seal {sealed_cpu:.2f} s, "
        f"verify {verified_cpu:.2f} s; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
