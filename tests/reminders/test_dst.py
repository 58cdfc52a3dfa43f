"""The scan's 'today' is the date in TIME_ZONE (Europe/London), across both UK clock changes."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from accountability.models import Notification
from accountability.services import reminders_deliver, reminders_scan

UTC = datetime.UTC


def _scan_at(instant: datetime.datetime) -> datetime.date:
    with mock.patch("django.utils.timezone.now", return_value=instant):
        result = reminders_scan(enqueue=False)
        reminders_deliver(ids=result.to_deliver)
    return result.today


@pytest.mark.parametrize(
    ("instant", "london_date"),
    [
        # 29 March 2026: clocks go forward at 01:00 UTC (GMT -> BST).
        (datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), datetime.date(2026, 3, 28)),  # 23:30 GMT
        (datetime.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime.date(2026, 3, 29)),  # 00:59 GMT
        (datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime.date(2026, 3, 29)),  # 02:00 BST
        (datetime.datetime(2026, 3, 29, 22, 59, tzinfo=UTC), datetime.date(2026, 3, 29)),  # 23:59 BST
        (datetime.datetime(2026, 3, 29, 23, 0, tzinfo=UTC), datetime.date(2026, 3, 30)),  # 00:00 BST next day
        # 25 October 2026: clocks go back at 01:00 UTC (BST -> GMT).
        (datetime.datetime(2026, 10, 24, 22, 59, tzinfo=UTC), datetime.date(2026, 10, 24)),  # 23:59 BST
        (datetime.datetime(2026, 10, 24, 23, 0, tzinfo=UTC), datetime.date(2026, 10, 25)),  # 00:00 BST
        (datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime.date(2026, 10, 25)),  # 01:30 BST (first)
        (datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime.date(2026, 10, 25)),  # 01:30 GMT (again)
        (datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), datetime.date(2026, 10, 25)),  # 23:30 GMT
        (datetime.datetime(2026, 10, 26, 0, 0, tzinfo=UTC), datetime.date(2026, 10, 26)),  # 00:00 GMT
    ],
)
def test_scan_today_is_the_london_date_at_each_instant_around_the_clock_changes(db, instant, london_date):
    assert _scan_at(instant) == london_date


def _world_due_on(world, due: datetime.date) -> None:
    # Items cannot be created with a past due date; move the world's milestone directly for this test.
    type(world.milestone).objects.filter(pk=world.milestone.pk).update(due_date=due)
    type(world.review).objects.filter(pk=world.review.pk).update(status="cancelled")


@pytest.mark.parametrize(
    ("instant", "kind"),
    [
        (datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "due_tomorrow"),  # still 28 March in London
        (datetime.datetime(2026, 3, 29, 23, 30, tzinfo=UTC), "overdue"),  # already 30 March (BST) in London
        (datetime.datetime(2026, 3, 29, 12, 0, tzinfo=UTC), "due_today"),
    ],
)
def test_spring_forward_scan_reminds_by_the_london_date(world, instant, kind):
    _world_due_on(world, datetime.date(2026, 3, 29))
    _scan_at(instant)
    assert list(Notification.objects.values_list("kind", flat=True)) == [kind]


@pytest.mark.parametrize(
    ("instant", "kind"),
    [
        (datetime.datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "due_today"),  # 00:30 BST on the 25th
        (datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "due_today"),  # 01:30 GMT, the repeated hour
        (datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "due_today"),  # 23:30 GMT, still the 25th
        (datetime.datetime(2026, 10, 26, 0, 30, tzinfo=UTC), "overdue"),
    ],
)
def test_fall_back_scan_reminds_by_the_london_date(world, instant, kind):
    _world_due_on(world, datetime.date(2026, 10, 25))
    _scan_at(instant)
    assert list(Notification.objects.values_list("kind", flat=True)) == [kind]


def test_repeated_hour_at_fall_back_does_not_remind_twice(world):
    _world_due_on(world, datetime.date(2026, 10, 25))
    for minute in range(0, 120, 15):  # every 15 minutes through 01:00-01:59 twice
        _scan_at(datetime.datetime(2026, 10, 25, 0, 0, tzinfo=UTC) + datetime.timedelta(minutes=minute))
    assert list(Notification.objects.values_list("kind", flat=True)) == ["due_today"]
    assert timezone.get_current_timezone_name() == "Europe/London"
