"""GET /healthz: 200 when the database and the broker answer, 503 otherwise (DESIGN.md "API").

Wiring only. Open to anyone (a load balancer, an orchestrator), so it says nothing but whether
each part answers: no versions, host names, counts or error text. Each check is bounded
(HEALTHZ_TIMEOUT seconds) so the probe itself never hangs; failures are logged by class only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("coordination.health")


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as exc:
        logger.warning("health: database unavailable (%s)", type(exc).__name__)
        return False


def broker_answers() -> bool:
    from coordination.celery import app

    try:
        url = settings.CELERY_BROKER_URL  # the deployment's broker, as the workers read it
        with app.connection_for_write(url=url, connect_timeout=settings.HEALTHZ_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=0, timeout=settings.HEALTHZ_TIMEOUT)
        return True
    except Exception as exc:  # any transport's error means "not answering"
        logger.warning("health: broker unavailable (%s)", type(exc).__name__)
        return False


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": "ok" if database_answers() else "unavailable",
        "broker": "ok" if broker_answers() else "unavailable",
    }
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
