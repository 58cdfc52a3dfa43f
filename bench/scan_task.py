"""Run the reminder-scan task once in this process, exactly as a worker runs it (the task body,
its commit, then its delivery messages sent to the configured broker after commit). The mixed-load
scenarios run it in the middle of the load: with the broker up, the worker delivers the batches;
with the broker stopped, the rows wait for the outbox (notices_deliver) once it is back.

    python -m bench.scan_task    # prints one JSON line: the task's state and result or error class
"""

import json
import time

import django

django.setup()

from accountability.tasks import reminders_scan  # noqa: E402

if __name__ == "__main__":
    started = time.perf_counter()
    outcome = reminders_scan.apply()
    result = outcome.result
    print(
        json.dumps(
            {
                "state": outcome.state,
                "result": result if isinstance(result, dict) else None,
                "error": None if isinstance(result, dict) else type(result).__name__,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )
