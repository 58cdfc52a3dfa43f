"""Django's PostgreSQL backend; a failed COMMIT raises CommitOutcomeUnknown.

A connection that drops before COMMIT leaves nothing saved (PostgreSQL rolls the transaction
back), but one that drops during COMMIT may have committed it: the caller cannot tell. The
error pages say which of the two happened (coordination/faults.py, docs/decisions/0017)."""

from django.db import DatabaseError, OperationalError
from django.db.backends.postgresql import base


class CommitOutcomeUnknown(OperationalError):
    """The connection failed while committing: the transaction may or may not be saved."""


class DatabaseWrapper(base.DatabaseWrapper):
    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # not in django-stubs
        except DatabaseError as exc:
            raise CommitOutcomeUnknown(*exc.args) from exc
