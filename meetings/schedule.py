"""When the next meeting is due, by kind, counting England and Wales working days.

Core group: within 10 working days after an initial conference. Review conference:
within 3 months of the initial conference, then at most every 6 months. Bank
holidays come from the `holidays` package (GB, subdivision England; Wales shares
England's bank holidays), so nobody keeps a list by hand.

Floor 6. Pure functions: no database.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

from meetings.models import MeetingKind


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself does not count)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def last_working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def next_meetings_due(*, kind: str, held_on: date) -> list[tuple[str, date]]:
    """The meetings that must follow one of `kind` held on `held_on`: (kind, due by)."""
    if kind == MeetingKind.INITIAL_CONFERENCE:
        return [
            (MeetingKind.CORE_GROUP.value, add_working_days(held_on, 10)),
            (MeetingKind.REVIEW_CONFERENCE.value, last_working_day_on_or_before(add_months(held_on, 3))),
        ]
    if kind == MeetingKind.REVIEW_CONFERENCE:
        return [(MeetingKind.REVIEW_CONFERENCE.value, last_working_day_on_or_before(add_months(held_on, 6)))]
    return []
