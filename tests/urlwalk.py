"""Every URL pattern of the project, for the tests that must cover them all (every read audited:
tests/audit/test_every_read_audited.py; deny by default: tests/security/test_deny_by_default.py).
A new URL pattern is then met by both walks without anyone listing it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str  # the routes of its includes joined, e.g. "api/v1/cases/<str:case_id>/"
    is_regex: bool
    pattern: URLPattern

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.route) + re.findall(r"\(\?P<(\w+)>", self.route)

    def url(self, values: dict[str, str]) -> str:
        """The pattern's path with each parameter replaced by values[name]."""
        route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], self.route)
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route)
        return "/" + route.replace("^", "").replace("$", "")


def walk(patterns=None, prefix: str = "", namespace: str = "", regex: bool = False) -> Iterator[Pattern]:
    for p in get_resolver().url_patterns if patterns is None else patterns:
        is_regex = regex or isinstance(p.pattern, RegexPattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns, is_regex)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            yield Pattern(f"{namespace}{p.name}" if p.name else route, route, is_regex, p)
