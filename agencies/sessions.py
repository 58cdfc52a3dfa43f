"""The session engine (SESSION_ENGINE = "agencies.sessions"): Django's database sessions, each row
also naming its user, so `sessions_end_for(user)` can delete every one of them at once.

Floor 2. May use: Django."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.exceptions import SuspiciousOperation
from django.db.models import CharField, DateTimeField
from django.utils import timezone

from agencies.prepared import PreparedQuery


def _session_query(*, key: Any, now: Any) -> Any:
    from agencies.models import UserSession

    return UserSession.objects.filter(session_key=key, expire_date__gt=now)[:1]


# Every signed-in request loads its session: compiled once (agencies.prepared).
_SESSION = PreparedQuery(_session_query, key=CharField(), now=DateTimeField())


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from agencies.models import UserSession

        return UserSession

    def _get_session_from_db(self) -> Any:
        """Django's own lookup (an unexpired row with this key), as a prepared query."""
        try:
            found = _SESSION.objects(key=self.session_key, now=timezone.now())
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            found = []
        if not found:
            self._session_key = None
            return None
        return found[0]

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance: Any = super().create_model_instance(data)
        try:
            instance.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            instance.user_id = None
        return instance
