"""The sharing-policy scenario alone, against an already seeded world:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ju_bench .venv/bin/python bench/sharing_bench.py

Prints the same section `make bench` puts in bench/RESULTS.md. Changes nothing:
its extra rows are rolled back."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.scenarios import Context  # noqa: E402
from bench.scenarios.sharing_policy import measure  # noqa: E402
from bench.seed import pick_viewer  # noqa: E402

with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM cases_case")
    size = cursor.fetchone()[0]
ctx = Context(
    size=size,
    label=f"{size // 1000}k",
    database_url=os.environ.get("DATABASE_URL", ""),
    viewer=pick_viewer(),
    duration=0,
    connections=0,
    threads=0,
    log=print,
)
section = measure(print, ctx)
print(f"\n### {section.title}\n")
print("| " + " | ".join(section.columns) + " |")
print("|" + "|".join(" --- " for _ in section.columns) + "|")
for row in section.rows:
    print("| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in row) + " |")
print()
for check in section.checks:
    print(f"- {'PASS' if check.passed else 'FAIL'} {check.name}: {check.measured} (target {check.target})")
print()
print("\n".join(section.notes))
