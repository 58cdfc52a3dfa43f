"""A list read that audits itself: the rows a caller actually reads are handed to an
audit callback at the moment they are read.

Floor 1: knows nothing of ours. A selector that returns personal data wraps its
queryset in `AuditedRead` with a callback that writes the read events; whoever
pages, slices, iterates or exports it (page, API, CSV) audits exactly the rows it
got, in one place, and nobody can forget to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class AuditedRead[T]:
    """Behaves as the read-only part of a QuerySet that paginators and templates use:
    `count()`, `len()`, slicing, indexing, iteration, `exists()`. Counting reads no
    personal data and is not audited; every evaluation of rows is, once per evaluation."""

    def __init__(self, queryset: Any, audit: Callable[[list[T]], None]) -> None:
        self._queryset = queryset
        self._audit = audit

    @property
    def ordered(self) -> bool:  # Django's Paginator warns on unordered lists
        return bool(self._queryset.ordered)

    @property
    def model(self) -> Any:
        return self._queryset.model

    def count(self) -> int:
        return int(self._queryset.count())

    def __len__(self) -> int:
        return self.count()

    def exists(self) -> bool:
        return bool(self._queryset.exists())

    def _read(self, rows: list[T]) -> list[T]:
        if rows:
            self._audit(rows)
        return rows

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            return self._read(list(self._queryset[key]))
        return self._read([self._queryset[key]])[0]

    def __iter__(self) -> Iterator[T]:
        return iter(self._read(list(self._queryset)))

    def __bool__(self) -> bool:
        return self.exists()
