"""Benchmark scenarios: each module in this package registers functions with
`@scenario`; bench/run.py discovers every module here, runs every scenario
against each seeded world (10,000 and 100,000 cases) and writes the report.

To add one, drop a module in bench/scenarios/ (see http_endpoints.py):

    from bench.scenarios import Check, Context, Section, scenario

    @scenario("reminder_scan", needs_server=False, summarize=None)
    def reminder_scan(ctx: Context) -> Section | None:
        ...  # Django is set up against ctx.database_url; the ORM and
             # django.db.connection work; ctx.viewer, ctx.size, ctx.log
        return Section(title=..., columns=[...], rows=[[...]], checks=[Check(...)], notes=[...], data={...})

Return None to skip a size (e.g. only run at ctx.size == 100_000). With
needs_server=True, ctx.server_url is the gunicorn under test and ctx.load()
runs wrk against it with the viewer's token (auth="token") or session cookie
(auth="session"). `summarize(sections_by_size: dict[int, dict]) -> Section`
is optional and runs in the parent process after all sizes, for comparisons
across sizes; it gets each size's Section as a dict (json round-tripped).

paired=True (HTTP-only scenarios, see http_endpoints.py): the function takes
{size: Context} with one gunicorn per seeded world, all up at once, and returns
{size: Section}; it runs in the parent after every world is seeded, so it can
interleave the sizes and a burst of other work on the machine hits both alike.
Paired scenarios may use HTTP only (no ORM: the parent has no database).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.load import LoadResult, measure
from bench.seed import Viewer


@dataclass
class Check:
    name: str
    target: str
    measured: str
    passed: bool


@dataclass
class Section:
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    size: int  # cases in this world
    label: str  # "100k"
    database_url: str
    viewer: Viewer
    duration: int
    connections: int
    threads: int
    log: Callable[[str], None]
    server_url: str | None = None
    token: str | None = None
    session_cookie: str | None = None
    server_workers: int = 0

    def auth_headers(self, auth: str | None) -> dict[str, str]:
        if auth == "token":
            return {"Authorization": f"Token {self.token}"}
        if auth == "session":
            return {"Cookie": f"sessionid={self.session_cookie}"}
        return {}

    def load(
        self,
        paths: list[str],
        *,
        auth: str | None = None,
        duration: int | None = None,
        warmup: int = 2,
        connections: int | None = None,
    ) -> LoadResult:
        """wrk against the server under test for `duration` seconds (default: --duration)."""
        assert self.server_url, "scenario needs_server=True to load the server"
        return measure(
            self.server_url,
            paths,
            headers=self.auth_headers(auth),
            duration=duration or self.duration,
            connections=connections or self.connections,
            threads=self.threads,
            warmup=warmup,
        )


@dataclass
class Scenario:
    name: str
    func: Callable[..., Any]
    needs_server: bool
    summarize: Callable[[dict[int, dict[str, Any]]], Section | None] | None
    order: int
    paired: bool = False


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    name: str,
    *,
    needs_server: bool = True,
    summarize: Callable[[dict[int, dict[str, Any]]], Section | None] | None = None,
    order: int = 100,
    paired: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        SCENARIOS[name] = Scenario(name, func, needs_server, summarize, order, paired)
        return func

    return register


def discover() -> list[Scenario]:
    """Import every module of this package; the scenarios, in run order."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return sorted(SCENARIOS.values(), key=lambda s: (s.order, s.name))
