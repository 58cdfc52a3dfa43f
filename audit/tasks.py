"""Celery entry points of the audit floor (scheduled by beat in settings): thin."""

from __future__ import annotations

from celery import shared_task

from audit.partitions import partitions_make_ahead, partitions_retire
from audit.seal import seal, verify


@shared_task
def audit_seal() -> int:
    """Every minute: seal what is not sealed yet."""
    made = seal()
    return made.events if made is not None else 0


@shared_task
def audit_verify() -> bool:
    """Daily: verify the whole chain and record the result for the IG pages."""
    return verify().ok


@shared_task
def audit_partitions() -> dict[str, list[str]]:
    """Daily (PostgreSQL): the coming months' partitions made ahead; months older than
    AUDIT_RETENTION_MONTHS exported, detached and dropped (audit/partitions.py)."""
    made = partitions_make_ahead()
    retired = partitions_retire()
    return {"made": made, "retired": [a.partition for a in retired]}
