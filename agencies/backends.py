"""Sign-in backend: Django's ModelBackend, but the query that loads the
signed-in user on every request also loads their professional record, its
agency and team, and whether they lead a team. The page header and every
permission check need those; loading them here keeps each page's query count
small and constant."""

from __future__ import annotations

import functools
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django_otp_webauthn.backends import WebAuthnBackend

from agencies.models import Agency, Team
from agencies.prepared import PreparedQuery
from audit.services import client_ip


def _signed_in_user(*, user_id: Any) -> Any:
    return (
        get_user_model()
        ._default_manager.select_related("professional__agency", "professional__team")
        .annotate(leads_a_team=Exists(Team.objects.filter(lead__user=OuterRef("pk"))))
        # The nav shows override reviews and the audit trail to information-governance leads.
        .annotate(
            is_information_governance_lead=ExpressionWrapper(
                Q(Exists(Agency.objects.filter(information_governance_lead__user=OuterRef("pk"))))
                | Q(professional__is_information_governance_lead=True),
                output_field=BooleanField(),
            )
        )
        .filter(pk=user_id)
        .order_by()[:1]
    )


@functools.cache
def _signed_in_user_query() -> PreparedQuery:
    """Every signed-in request runs it: compiled once (agencies.prepared)."""
    return PreparedQuery(_signed_in_user, user_id=get_user_model()._meta.pk.__class__())


class ProfessionalModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        found = _signed_in_user_query().objects(user_id=user_id)
        user = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


class AddressLockoutBackend:
    """Refuses every sign-in (pages, admin, API token) from an address that failed
    SIGNIN_ADDRESS_FAILURE_LIMIT times within SIGNIN_ADDRESS_WINDOW, whatever the usernames: one
    address trying many accounts with one password each. It only refuses; ModelBackend signs in.
    The failures are django-axes' failure log (in the database), the address the one client-address
    rule of audit.services.client_ip. A refusal reads exactly like axes' own lock-out. No get_user:
    it never signs anyone in (and force_login must not pick it)."""

    def authenticate(self, request: Any, username: Any = None, password: Any = None, **kwargs: Any) -> Any:
        if request is None or not settings.AXES_ENABLED:
            return None
        address = client_ip(request)
        if address is None:
            return None
        since = timezone.now() - settings.SIGNIN_ADDRESS_WINDOW
        failures = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()
        if failures < settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            return None
        request.axes_locked_out = True  # AxesMiddleware answers with the lock-out page
        raise PermissionDenied("Too many failed sign-ins from this address.")


class PasskeyBackend(WebAuthnBackend):
    """django-otp-webauthn's passkey sign-in (a passkey in place of the password), loading the
    signed-in user on later requests the same way as ProfessionalModelBackend."""

    def get_user(self, user_id: Any) -> Any:
        return ProfessionalModelBackend().get_user(user_id)
