"""API authentication. Its own module: DRF imports authentication classes while
rest_framework.views is still loading, so this must not import views."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class ProfessionalTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, loading the user with their professional record, agency
    and team in the same query: every API permission check needs them."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = (
            Token.objects.select_related("user__professional__agency", "user__professional__team")
            .filter(key=key)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
