"""Celery entry points of meetings: thin, they call the outbox sender."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from meetings import invitations


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def invitations_send() -> dict[str, int]:
    return invitations.invitations_send()
