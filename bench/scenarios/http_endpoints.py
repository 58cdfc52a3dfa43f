"""Issue 2: case-list API, My work and the case page against a bare Django view.

All four run in one server, one after another, each for the same fixed time and
connections; the bare view runs first and last and the ratio uses the mean of
the two, so drift from other work on the machine shows up instead of hiding in
one endpoint's figure.
"""

from __future__ import annotations

from typing import Any

from bench.load import get
from bench.scenarios import Check, Context, Section, scenario

CASE_LIST_RATIO_TARGET = 0.10
MY_WORK_P95_TARGET_MS = 100.0
SCALING_TARGET = 0.9

# (key, label, paths(ctx), auth)
ENDPOINTS: list[tuple[str, str, Any, str | None]] = [
    ("case_list_api", "Case-list API `GET /api/v1/cases/` (token)", lambda ctx: ["/api/v1/cases/"], "token"),
    ("my_work", "My work page `GET /` (session)", lambda ctx: ["/"], "session"),
    (
        "case_page",
        "Case page `GET /cases/<uuid>/` (session, rotating over the viewer's cases)",
        lambda ctx: [f"/cases/{case_id}/" for case_id in ctx.viewer.case_ids],
        "session",
    ),
]
COLUMNS = ["endpoint", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "ratio to bare"]


def summarize(sections: dict[int, dict[str, Any]]) -> Section | None:
    sizes = sorted(sections)
    if len(sizes) < 2:
        return None
    small, large = sizes[0], sizes[-1]
    rows = []
    checks = []
    for key, label, _, _ in ENDPOINTS:
        r_small = sections[small]["data"].get(key, {}).get("ratio")
        r_large = sections[large]["data"].get(key, {}).get("ratio")
        if r_small is None or r_large is None:
            rows.append([label, r_small or "n/a", r_large or "n/a", "n/a"])
            continue
        scaling = round(r_large / r_small, 3) if r_small else 0.0
        rows.append([label, r_small, r_large, scaling])
        checks.append(
            Check(
                f"{key}: ratio at {large:,} cases / ratio at {small:,} cases",
                f">= {SCALING_TARGET}",
                f"{scaling}",
                scaling >= SCALING_TARGET,
            )
        )
    return Section(
        title="Scaling: ratio to bare at each size",
        columns=["endpoint", f"ratio @ {small:,}", f"ratio @ {large:,}", "scaling (large / small)"],
        rows=rows,
        checks=checks,
    )


@scenario("http_endpoints", needs_server=True, summarize=summarize, order=10)
def http_endpoints(ctx: Context) -> Section:
    section = Section(title=f"HTTP endpoints at {ctx.size:,} cases", columns=COLUMNS)
    available = []
    for key, label, paths_of, auth in ENDPOINTS:
        paths = paths_of(ctx)
        status, _ = get(ctx.server_url + paths[0], ctx.auth_headers(auth))
        if status == 200:
            available.append((key, label, paths, auth))
        else:
            section.notes.append(f"{label}: not measured, the endpoint answered {status} (not built yet?).")
            section.data[key] = {"status": status}

    ctx.log(f"  bare view ({ctx.duration} s)")
    bare_first = ctx.load(["/bench/bare/"])
    results = {}
    for key, _label, paths, auth in available:
        ctx.log(f"  {key} ({ctx.duration} s)")
        results[key] = ctx.load(paths, auth=auth)
    ctx.log(f"  bare view again ({ctx.duration} s)")
    bare_last = ctx.load(["/bench/bare/"])
    bare_rps = (bare_first.rps + bare_last.rps) / 2

    section.rows.append(
        [
            "Bare Django JSON view `GET /bench/bare/` (first run)",
            bare_first.rps,
            bare_first.p50_ms,
            bare_first.p95_ms,
            bare_first.p99_ms,
            bare_first.errors,
            "—",
        ]
    )
    section.rows.append(
        [
            "Bare Django JSON view (last run)",
            bare_last.rps,
            bare_last.p50_ms,
            bare_last.p95_ms,
            bare_last.p99_ms,
            bare_last.errors,
            "—",
        ]
    )
    section.data["bare"] = {"rps": bare_rps, "first": bare_first.as_dict(), "last": bare_last.as_dict()}
    for key, label, _paths, _auth in available:
        r = results[key]
        ratio = round(r.rps / bare_rps, 3) if bare_rps else 0.0
        section.rows.append([label, r.rps, r.p50_ms, r.p95_ms, r.p99_ms, r.errors, ratio])
        section.data[key] = {"ratio": ratio, **r.as_dict()}

    if "case_list_api" in results:
        ratio = section.data["case_list_api"]["ratio"]
        section.checks.append(
            Check(
                "case-list API throughput / bare",
                f">= {CASE_LIST_RATIO_TARGET}",
                f"{ratio}",
                ratio >= CASE_LIST_RATIO_TARGET,
            )
        )
    if "my_work" in results:
        p95 = results["my_work"].p95_ms
        section.checks.append(
            Check("My work p95", f"< {MY_WORK_P95_TARGET_MS:.0f} ms", f"{p95} ms", p95 < MY_WORK_P95_TARGET_MS)
        )
    section.notes.append(
        f"Load: {bare_first.tool}, {ctx.server_workers} gunicorn sync workers; bare view ran first and last, "
        f"ratios divide by the mean of both ({bare_rps:.1f} requests/s)."
    )
    section.notes.append(
        f"Viewer: {ctx.viewer.username} on {ctx.viewer.cases} cases, accountable for "
        f"{ctx.viewer.open_milestones} open milestones."
    )
    return section
