"""API authentication. Its own module: DRF imports authentication classes while
rest_framework.views is still loading, so this must not import views.

- `Authorization: Token <key>`: django-rest-knox tokens (only a digest stored, expiring);
- the browser's session, once its second factor is verified where one is required.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from agencies.accounts import second_factor_pending
from agencies.models import ApiToken


class ProfessionalTokenAuthentication(TokenAuthentication):
    """knox's token check in one query that also loads the user's professional record (every API
    permission check needs it); an expired token is refused (and removed when a new one is issued),
    with no per-request clean-up queries."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        invalid = exceptions.AuthenticationFailed("Invalid token.")
        try:
            key = token.decode("utf-8")
            digest = hash_token(key)
        except (UnicodeDecodeError, TypeError, binascii.Error, ValueError):
            raise invalid from None
        candidates = ApiToken.objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related(
            "user__professional"
        )
        for candidate in candidates:
            if compare_digest(digest, candidate.digest):
                if candidate.expiry is not None and candidate.expiry <= timezone.now():
                    raise exceptions.AuthenticationFailed("Token expired.")
                return self.validate_user(candidate)
        raise invalid


class RevocationTokenAuthentication(ProfessionalTokenAuthentication):
    """The token endpoint reads a token only to revoke it (DELETE): a stale header sent with a
    POST for a new token must not stand in the way."""

    def authenticate(self, request: Any) -> Any:
        if request.method != "DELETE":
            return None
        return super().authenticate(request)


class VerifiedSessionAuthentication(SessionAuthentication):
    """Django's session (with its CSRF check), but a session whose second factor is still to be
    verified does not count as signed in to the API."""

    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(request)
        if result is None:
            return None
        if second_factor_pending(request._request):
            return None
        return result


class KnoxTokenScheme(OpenApiAuthenticationExtension):
    target_class = "agencies.api.authentication.ProfessionalTokenAuthentication"
    match_subclasses = True
    priority = 1
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token" (POST /api/v1/auth/token/).',
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "agencies.api.authentication.VerifiedSessionAuthentication"
    priority = 1
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
