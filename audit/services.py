"""Floor 1, audit: the one way to append an audit event. Call it inside the
transaction of the change (or read) it records.

May use: Django only. An actor is any user object; the professional fields are
read from it by attribute, so this floor imports nothing of ours.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.http import HttpRequest

from audit.models import AuditEvent


def _actor_fields(user: Any) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"actor_user_id": None, "actor": None, "actor_name": "system", "actor_agency": None}
    professional = getattr(user, "professional", None) if hasattr(user, "professional") else None
    if professional is not None:
        return {
            "actor_user_id": user.pk,
            "actor": professional.id,
            "actor_name": professional.full_name,
            "actor_agency": professional.agency_id,
        }
    return {
        "actor_user_id": user.pk,
        "actor": None,
        "actor_name": user.get_full_name() or user.get_username(),
        "actor_agency": None,
    }


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind NUM_PROXIES trusted proxies the address the
    outermost of them saw (that many entries from the right of X-Forwarded-For, as DRF's throttles
    count). With NUM_PROXIES 0 the header is ignored: any client can write it. Used by the audit
    trail, the sign-in lock-out (AXES_CLIENT_IP_CALLABLE) and, by the same rule, the API throttles."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies > 0 and forwarded:
        hops = [h.strip() for h in forwarded.split(",")]
        candidate = hops[-min(proxies, len(hops))]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return remote  # a proxy that forwards junk: keep what the socket saw
    return remote


def audit_record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    person: uuid.UUID | None = None,
    case: uuid.UUID | None = None,
    subject_type: str = "",
    subject_id: uuid.UUID | None = None,
    subject_agency: uuid.UUID | None = None,
    basis: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction of the change it records.

    `detail` carries identifiers and codes only, never case content."""
    return AuditEvent.objects.create(
        action=action,
        person=person,
        case=case,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_agency=subject_agency,
        basis=basis,
        ip=client_ip(request),
        detail=detail or {},
        **_actor_fields(actor),
    )


def audit_record_many(
    events: Iterable[dict[str, Any]], *, actor: Any = None, request: HttpRequest | None = None
) -> None:
    """Append several events in one INSERT (for list reads: one event per person read). One
    event is saved alone: a single INSERT, where `bulk_create` would wrap its INSERT in a
    transaction of its own (two more round trips) outside an atomic block."""
    base = {**_actor_fields(actor), "ip": client_ip(request)}
    rows = [AuditEvent(**base, **e) for e in events]
    if rows:
        _insert(rows)


_INSERTED = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]


def _insert(rows: list[AuditEvent]) -> None:
    """One INSERT of these events, written from the model's fields as the ORM would prepare
    them (the `at` timestamp included), without building the ORM's insert query: list reads
    audit at nearly every request, and compiling `bulk_create` cost more Python than the rest
    of the audit. The events' ids are not read back (nobody uses them)."""
    connection = connections[router.db_for_write(AuditEvent) or DEFAULT_DB_ALIAS]
    q = connection.ops.quote_name
    columns = ", ".join(q(str(f.column)) for f in _INSERTED)
    row = "(" + ", ".join(["%s"] * len(_INSERTED)) + ")"
    size = max(1, min(1000, connection.ops.bulk_batch_size(_INSERTED, rows)))  # SQLite's limit on parameters
    # Several batches go in together or not at all, as bulk_create's would.
    together = transaction.atomic(using=connection.alias, savepoint=False) if len(rows) > size else nullcontext()
    with together, connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [f.get_db_prep_save(f.pre_save(event, True), connection) for event in batch for f in _INSERTED]
            values = ", ".join([row] * len(batch))
            cursor.execute(f"INSERT INTO {q(AuditEvent._meta.db_table)} ({columns}) VALUES {values}", params)  # noqa: S608
