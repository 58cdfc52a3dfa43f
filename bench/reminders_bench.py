"""The reminder-scan scenario alone, against an already seeded world:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ju_bench .venv/bin/python bench/reminders_bench.py

Prints the same section `make bench` puts in bench/RESULTS.md."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from bench.scenarios.reminder_scan import measure  # noqa: E402

section = measure(print)
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
