"""In-process CPU time per request of the benchmark's endpoints, for one checkout and one seeded world:

    .venv/bin/python bench/cpu_per_request.py ROOT DATABASE

ROOT is a checkout of JoinedUp (this one, or an older commit in a git worktree, to compare two versions
of the code on the same machine at the same time); DATABASE a PostgreSQL database seeded by that
checkout's bench/seed.py (with the opened meeting the meetings scenario leaves, the meeting's API read
and page are measured too). Prints, per endpoint, the best of 5 runs of 40 requests of CPU ms per request
(this process only: Django and the driver; the database's own time is not in it).
"""

from __future__ import annotations

import os
import resource
import sys
from typing import Any

WARM_UP, RUNS, REQUESTS = 10, 5, 40


def _api_key(user):
    """An API token of the checkout being measured: hashed knox tokens since issue 10, DRF's before."""
    try:
        from agencies.models import ApiToken
    except ImportError:
        from rest_framework.authtoken.models import Token

        return Token.objects.get_or_create(user=user)[0].key
    return ApiToken.objects.create(user=user, name="bench")[1]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(root: str, database: str) -> dict[str, Any]:
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.seed import pick_viewer

    try:
        from bench.signin import signed_in
    except ImportError:  # a checkout from before two-factor sign-in

        def signed_in(client: Any, user: Any) -> Any:
            client.force_login(user)
            return client

    viewer = pick_viewer()
    user = get_user_model().objects.get(pk=viewer.user_id)
    api = Client(HTTP_AUTHORIZATION=f"Token {_api_key(user)}", HTTP_HOST="127.0.0.1")
    page = signed_in(Client(HTTP_HOST="127.0.0.1"), user)
    endpoints = [
        ("bare", api, "/bench/bare/"),
        ("case_list", api, "/api/v1/cases/"),
        ("my_work", page, "/"),
        ("case_page", page, f"/cases/{viewer.case_ids[0]}/"),
    ]
    try:  # the opened meeting the meetings scenario leaves in the world, chaired by the viewer (issue 13)
        from meetings.models import Meeting

        meeting = Meeting.objects.filter(chair_id=viewer.professional_id, status="open").order_by("-opened_at").first()
    except ImportError:
        meeting = None
    if meeting is not None:
        endpoints += [
            ("meeting_api", api, f"/api/v1/meetings/{meeting.id}/"),
            ("meeting_page", page, f"/meetings/{meeting.id}/"),
        ]
    out: dict[str, Any] = {}
    for name, client, url in endpoints:
        for _ in range(WARM_UP):
            client.get(url)
        best = float("inf")
        for _ in range(RUNS):
            started = cpu_seconds()
            for _ in range(REQUESTS):
                status = client.get(url).status_code
            best = min(best, (cpu_seconds() - started) / REQUESTS * 1000)
        out[name] = {"cpu_ms": round(best, 2), "status": status}
    return out


if __name__ == "__main__":
    print(sys.argv[1], main(sys.argv[1], sys.argv[2]))
