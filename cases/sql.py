"""Hand-written SQL expressions over the outer row, for the hottest reads.

Each subclass writes one small piece of SQL with bound parameters; the ORM places
it in the query like any other expression. Used where building the equivalent
ORM subqueries cost more Python per request than the rest of the request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Expression


class RowSQL(Expression):
    """An SQL expression over the columns of the outer row, written by hand with bound
    parameters (only identifiers from the models' metadata are formatted in). Building
    the equivalent nested ORM subqueries cost milliseconds of Python per request; these
    cost next to nothing. The outer table's alias is taken from the query the expression
    is resolved in (and relabelled with it), so it is also correct inside subqueries;
    `model` names the outer table when the expression is compiled outside a query."""

    def __init__(self, *, model: Any, output_field: Any, alias: str | None = None) -> None:
        super().__init__(output_field=output_field)
        self.model = model
        self.alias = alias

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> Any:
        clone = self.copy()
        clone.is_summary = summarize
        clone.alias = query.get_initial_alias() if query is not None else self.model._meta.db_table
        return clone

    def relabeled_clone(self, change_map: Mapping[str, str]) -> Any:
        clone = self.copy()
        clone.alias = change_map.get(self.alias or "", self.alias)
        return clone

    def get_group_by_cols(self) -> list[Any]:
        return [self]

    @property
    def identity(self) -> tuple[Any, ...]:  # type: ignore[override]
        """What makes two of these equal (Django hashes and compares expressions while
        compiling): the class, the outer alias and `key()`. Cheaper than Django's default,
        which binds the constructor's signature with `inspect` for every instance."""
        return (self.__class__, self.model, self.alias, *self.key())

    def key(self) -> tuple[Any, ...]:
        return ()

    def outer(self, compiler: Any) -> str:
        return str(compiler.quote_name(self.alias or self.model._meta.db_table))
