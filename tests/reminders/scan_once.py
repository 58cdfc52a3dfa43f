"""Run one scan in its own process, enqueueing delivery on the configured broker:
`python -m tests.reminders.scan_once YYYY-MM-DD`. Prints messages enqueued."""

import datetime
import sys

import django

django.setup()

from accountability.services import reminders_scan  # noqa: E402

if __name__ == "__main__":
    result = reminders_scan(today=datetime.date.fromisoformat(sys.argv[1]))
    print(f"due={result.due_items} reminders={result.reminders} messages={result.messages}")
