"""Bounds every input of every app shares (issue 10, docs/decisions/0037): dates within
1900-2200 and the longest text each kind of field takes. Forms (cases.forms) and API serializers
(agencies.api.base) apply them, so an absurd value is a 400 with a field message instead of an
overflow further down (a calendar feed computing the day after 9999-12-31) or a database error
(PostgreSQL refusing a value longer than its column).

Floor 2: the lowest floor with our own code; every app may import it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)
DATE_RANGE_MESSAGE = "Enter a date between 1900 and 2200."

# Longest text per kind of field (characters). Names and short fields take their column's length.
LONG_TEXT_MAX = 20_000  # a record, minutes
NOTE_MAX = 5_000  # a justification, a closure reason, review notes
PLAN_TEXT_MAX = 2_000  # a goal's description and measure
PLAIN_SUMMARY_MAX = 1_000  # what the person reads in the portal
SEARCH_MAX = 200  # a search box or a filter


def too_long_message(limit: int) -> str:
    """The words of a text over its bound, in forms, serializers and services alike."""
    return f"Keep this to {limit:,} characters."


def too_long(value: str | None, limit: int) -> str:
    """The message for a text longer than `limit` characters once trimmed, or "": the services'
    own check of the bounds above, so no caller can store a pasted book."""
    return too_long_message(limit) if len((value or "").strip()) > limit else ""


def date_in_range(value: datetime.date | None) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")


def date_within_range(value: datetime.date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE
