"""Issue 2: case-list API, My work and the case page against a bare Django view.

All four run with the same connections in interleaved rounds (bare, case list,
My work, case page, at 10,000 then 100,000 cases, then the other way round;
five times), with both worlds' servers up at once, so that other work on the
shared machine disturbs every endpoint and both sizes alike; each ratio divides
an endpoint's throughput by the bare view's over the same rounds.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

from bench.load import LoadResult, get
from bench.scenarios import Check, Context, Section, scenario

CASE_LIST_RATIO_TARGET = 0.10
MY_WORK_P95_TARGET_MS = 100.0
# Issue 11: My work and the case page, at the full-size world.
PAGE_RATIO_TARGET = 0.05
PAGE_P95_SINGLE_TARGET_MS = 20.0
PAGE_TARGET_SIZE = 100_000
PAGES = (("my_work", "My work"), ("case_page", "Case page"))
SCALING_TARGET = 0.9
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
MIN_SLOT_SECONDS = 5

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


def _combine(runs: list[LoadResult]) -> dict[str, Any]:
    """Rounds of one endpoint: throughput over all rounds, median of the rounds' percentiles."""
    requests = sum(r.requests for r in runs)
    seconds = sum(r.seconds for r in runs)
    return {
        "requests": requests,
        "seconds": round(seconds, 2),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": statistics.median(r.p50_ms for r in runs),
        "p95_ms": statistics.median(r.p95_ms for r in runs),
        "p99_ms": statistics.median(r.p99_ms for r in runs),
        "p95_ms_worst_round": max(r.p95_ms for r in runs),
        "errors": sum(r.errors for r in runs),
        "rounds_rps": [r.rps for r in runs],
        "tool": runs[0].tool,
    }


def _probe(ctx: Context) -> tuple[Section, list[tuple[str, str, list[str], str | None]]]:
    """The section for this world and the endpoints that answer 200 (the others are noted)."""
    section = Section(title=f"HTTP endpoints at {ctx.size:,} cases", columns=COLUMNS)
    available = []
    for key, label, paths_of, auth in ENDPOINTS:
        paths = paths_of(ctx)
        status, _ = get(ctx.server_url + paths[0], ctx.auth_headers(auth))
        if status == 200:
            available.append((key, label, paths, auth))
        else:
            why = "redirected to sign-in (session not accepted?)" if status == 302 else "not built yet?"
            section.notes.append(f"{label}: not measured, the endpoint answered {status} ({why}).")
            section.data[key] = {"status": status}
    return section, available


@scenario("http_endpoints", needs_server=True, summarize=summarize, order=10, paired=True)
def http_endpoints(ctxs: dict[int, Context]) -> dict[int, Section]:
    """Every world's server is up at once. Each round loads, for each world in turn, the
    bare view then each endpoint; the order of the worlds alternates between rounds. A burst
    of other work on the shared machine so lands on every endpoint and on both sizes alike."""
    sizes = sorted(ctxs)
    probed = {size: _probe(ctxs[size]) for size in sizes}
    first = ctxs[sizes[0]]
    slot = max(MIN_SLOT_SECONDS, first.duration // ROUNDS)
    runs: dict[int, dict[str, list[LoadResult]]] = {
        size: {"bare": [], **{key: [] for key, *_ in probed[size][1]}} for size in sizes
    }
    for round_no in range(ROUNDS):
        order = sizes if round_no % 2 == 0 else list(reversed(sizes))
        for size in order:
            ctx = ctxs[size]
            available = probed[size][1]
            warmup = 2 if round_no == 0 else 0
            ctx.log(
                f"  round {round_no + 1}/{ROUNDS} at {size:,} cases: bare + {len(available)} endpoints, {slot} s each"
            )
            runs[size]["bare"].append(ctx.load(["/bench/bare/"], duration=slot, warmup=warmup))
            for key, _label, paths, auth in available:
                runs[size][key].append(ctx.load(paths, auth=auth, duration=slot, warmup=warmup))

    # Unloaded latency: one connection, one request at a time.
    singles: dict[int, dict[str, LoadResult]] = {}
    for size in sizes:
        ctx = ctxs[size]
        available = probed[size][1]
        ctx.log(f"  one connection at {size:,} cases: bare + {len(available)} endpoints, {MIN_SLOT_SECONDS} s each")
        singles[size] = {"bare": ctx.load(["/bench/bare/"], duration=MIN_SLOT_SECONDS, warmup=0, connections=1)}
        for key, _label, paths, auth in available:
            singles[size][key] = ctx.load(paths, auth=auth, duration=MIN_SLOT_SECONDS, warmup=0, connections=1)
    return {
        size: _report(ctxs[size], probed[size][0], probed[size][1], runs[size], singles[size], slot) for size in sizes
    }


def _report(
    ctx: Context,
    section: Section,
    available: list[tuple[str, str, list[str], str | None]],
    runs: dict[str, list[LoadResult]],
    single: dict[str, LoadResult],
    slot: int,
) -> Section:
    bare = _combine(runs["bare"])
    section.data["bare"] = bare
    section.rows.append(
        [
            "Bare Django JSON view `GET /bench/bare/`",
            bare["rps"],
            bare["p50_ms"],
            bare["p95_ms"],
            bare["p99_ms"],
            bare["errors"],
            "1",
        ]
    )
    for key, label, _paths, _auth in available:
        r = _combine(runs[key])
        r["ratio"] = round(r["rps"] / bare["rps"], 3) if bare["rps"] else 0.0
        r["single_connection"] = single[key].as_dict()
        r["rounds_ratio"] = [
            round(e.rps / b.rps, 3) if b.rps else 0.0 for e, b in zip(runs[key], runs["bare"], strict=True)
        ]
        section.rows.append([label, r["rps"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"], r["ratio"]])
        section.data[key] = r

    if "case_list_api" in section.data and "ratio" in section.data["case_list_api"]:
        ratio = section.data["case_list_api"]["ratio"]
        section.checks.append(
            Check(
                "case-list API throughput / bare",
                f">= {CASE_LIST_RATIO_TARGET}",
                f"{ratio}",
                ratio >= CASE_LIST_RATIO_TARGET,
            )
        )
    if "my_work" in section.data and "p95_ms" in section.data["my_work"]:
        p95 = section.data["my_work"]["p95_ms"]
        section.checks.append(
            Check(
                f"My work p95 under load ({ctx.connections} connections)",
                f"< {MY_WORK_P95_TARGET_MS:.0f} ms",
                f"{p95} ms",
                p95 < MY_WORK_P95_TARGET_MS,
            )
        )
        p95_single = single["my_work"].p95_ms
        section.checks.append(
            Check(
                "My work p95, one connection",
                f"< {MY_WORK_P95_TARGET_MS:.0f} ms",
                f"{p95_single} ms",
                p95_single < MY_WORK_P95_TARGET_MS,
            )
        )
    if ctx.size >= PAGE_TARGET_SIZE:
        for key, name in PAGES:
            data = section.data.get(key, {})
            if "ratio" not in data:
                continue
            section.checks.append(
                Check(
                    f"{name} throughput / bare (issue 11)",
                    f">= {PAGE_RATIO_TARGET}",
                    f"{data['ratio']}",
                    data["ratio"] >= PAGE_RATIO_TARGET,
                )
            )
            one = single[key]
            section.checks.append(
                Check(
                    f"{name} p95, one connection (issue 11)",
                    f"< {PAGE_P95_SINGLE_TARGET_MS:.0f} ms",
                    f"{one.p95_ms} ms ({one.requests} requests)",
                    # No request answered within the slot is no latency at all, not a pass.
                    one.requests > 0 and one.p95_ms < PAGE_P95_SINGLE_TARGET_MS,
                )
            )
    section.notes.append(
        "One connection at a time (no queueing; p50 / p95 ms): "
        + "; ".join(f"{key} {res.p50_ms} / {res.p95_ms}" for key, res in single.items())
        + "."
    )
    spread = "; ".join(
        f"{key} {min(d['rounds_ratio'])}–{max(d['rounds_ratio'])}"
        for key, d in section.data.items()
        if isinstance(d, dict) and "rounds_ratio" in d
    )
    section.notes.append(
        f"Load: {bare['tool'].replace(f'-d{slot}s', '')}, {ROUNDS} interleaved rounds of {slot} s per endpoint "
        "(bare, then each endpoint, for each world size in turn, the order of the sizes alternating), "
        f"{ctx.server_workers} gunicorn sync workers per world. requests/s = all "
        "requests over all rounds / time; percentiles are the median of the rounds' wrk percentiles. "
        f"Per-round ratio range: {spread or 'n/a'}."
    )
    section.notes.append(
        f"Viewer: {ctx.viewer.username} on {ctx.viewer.cases} cases, accountable for "
        f"{ctx.viewer.open_milestones} open milestones."
    )
    return section
