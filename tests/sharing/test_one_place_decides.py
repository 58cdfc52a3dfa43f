"""DESIGN invariant 2: one place decides who sees what. Only the policy, the
selectors and the services of sharing/ may query records; views, serializers,
tasks and every other module read records through sharing.selectors."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    Path("sharing/policy.py"),
    Path("sharing/selectors.py"),
    Path("sharing/services.py"),
}
APPS = ["audit", "agencies", "accountability", "cases", "plans", "sharing", "portal", "workspace", "coordination"]
DIRECT = re.compile(r"\bRecord\.(objects|_default_manager|_base_manager)\b|\bRecord\.about\.through\.objects\b")


def offending_modules() -> list[str]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if rel in ALLOWED or "migrations" in rel.parts:
                continue
            if DIRECT.search(path.read_text(encoding="utf-8")):
                found.append(str(rel))
    return sorted(found)


def test_no_module_outside_policy_selectors_and_services_queries_records():
    assert offending_modules() == []


def test_the_scan_would_catch_a_view_that_queries_records(tmp_path):
    assert DIRECT.search("rows = Record.objects.filter(case=case)")
    assert DIRECT.search("Record._default_manager.all()")
    assert not DIRECT.search("selectors.record_list_visible_to(user=user, case=case)")
