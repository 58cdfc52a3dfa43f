"""API authentication. Its own module: DRF imports authentication classes while
rest_framework.views is still loading, so this must not import views."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class ProfessionalTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, loading the user with their professional record in the
    same query: every API permission check needs it (by ids: agency and team stay unloaded)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = Token.objects.select_related("user__professional").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
