"""Signing in, kept safe: who must use a second factor, enrolling and verifying one (django-otp:
TOTP apps and single-use recovery codes), API tokens (django-rest-knox: hashed, named, expiring)
and ending a user's sessions and tokens at once. Every change is audited.

Floor 2 (agencies). May use: audit. Rights here: a professional or an admin must use two factors
when REQUIRE_2FA is on; a service user may, and is never made to.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from agencies.models import ApiToken, Professional, UserSession
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# --- Rules ---------------------------------------------------------------------------


def two_factor_required(user: Any) -> bool:
    """Professionals and admins (staff, superusers) must verify a second factor when REQUIRE_2FA
    is on. A login with neither role (a service user's portal account) is never made to."""
    if not settings.REQUIRE_2FA or user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    try:
        return user.professional is not None  # loaded with the user by the sign-in backend
    except Professional.DoesNotExist:
        return False


def session_is_verified(user: Any) -> bool:
    """A second factor was verified in this session (django-otp's OTPMiddleware sets is_verified)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def has_second_factor(user: Any) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def has_code_factor(user: Any) -> bool:
    """A confirmed second factor that checks a typed code: an authenticator app (TOTP) or recovery
    codes with some left. A passkey is a second factor but cannot check a code, so it cannot guard
    what has no browser ceremony (the API token)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or recovery_codes_left(user) > 0


# Set at sign-in (in the session) for a user who must, or chose to, use a second factor; cleared
# once it is verified.
SECOND_FACTOR_DUE = "ju_second_factor_due"


PASSKEY_NO_CODE = (
    "A passkey cannot be used for an API token. Add an authenticator app or recovery codes "
    "on the Two-factor sign-in page (/accounts/two-factor/), then send its current code."
)
NO_SECOND_FACTOR = "Set up two-factor sign-in on the website first, then send its current code."


def api_token_code_rule(user: Any) -> tuple[bool, str]:
    """Whether an API token for this user needs the current code of a second factor, and, when it
    does but the user has no factor that checks a code, why it cannot be issued ("" otherwise).
    A second factor guards the token as it guards the pages: when REQUIRE_2FA applies to the
    account, or the person enrolled one of their own accord. Only a factor that checks a typed code
    can guard it (an app or recovery codes): a passkey-only account whom REQUIRE_2FA does not bind
    gets the token with the password, as it could before enrolling the passkey; one it binds is told
    to add a code factor, so a token is never a way round the second factor."""
    code_factor = has_code_factor(user)
    if not (two_factor_required(user) or code_factor):
        return False, ""
    if code_factor:
        return True, ""
    return True, PASSKEY_NO_CODE if has_second_factor(user) else NO_SECOND_FACTOR


def second_factor_pending(request: Any) -> bool:
    """This signed-in session still owes its second factor: REQUIRE_2FA applies to the user, or
    they enrolled one themselves (a service user, or anyone in the demo). Pages and the API ask
    this one question, so an enrolled factor guards both."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    due = bool(request.session.get(SECOND_FACTOR_DUE)) or two_factor_required(user)
    return due and not session_is_verified(user)


def totp_device_of(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def passkeys_of(user: Any) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at"))


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Second factors ------------------------------------------------------------------


@transaction.atomic
def totp_enrolment_start(*, user: Any) -> TOTPDevice:
    """The unconfirmed authenticator-app device of an enrolment in progress (one at a time): its
    secret is shown as a QR code until a first code from the app confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: Any, code: str, request: Any = None) -> TOTPDevice | None:
    """Confirm the enrolment with a code from the app; the previous app (if any) is replaced."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_clean(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action="agencies.second_factor.enrolled", actor=user, request=request, detail={"kind": "totp"})
    return device


@transaction.atomic
def recovery_codes_issue(*, user: Any, request: Any = None) -> list[str]:
    """Ten new single-use recovery codes (any earlier ones stop working); shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(action="agencies.second_factor.recovery_codes_issued", actor=user, request=request)
    return codes


def second_factor_verify(*, user: Any, code: str) -> Device | None:
    """The user's device that accepts this code (a recovery code is used up), else None. Each
    device slows down wrong guesses (django-otp's throttling)."""
    code = _clean(code)
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def second_factors_reset(*, user: Any, actor: Any, request: Any = None) -> None:
    """An admin removes every second factor of a user (a lost phone): their sessions and API
    tokens end too, and the next sign-in enrols again."""
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        model.objects.filter(user=user).delete()
    _end_sessions_and_tokens(user)
    audit_record(
        action="agencies.second_factor.reset",
        actor=actor,
        request=request,
        subject_type="user",
        detail={"user": user.pk},
    )


@transaction.atomic
def passkey_remove(*, user: Any, passkey_id: Any, request: Any = None) -> bool:
    """Remove one of the user's own passkeys (anyone's other passkey is not theirs: False, nothing
    removed). A service user may enrol and remove passkeys freely; they are never made to have one.
    Audited as `agencies.second_factor.passkey_removed`."""
    try:
        pk = int(str(passkey_id))
    except ValueError:
        return False
    deleted, _ = WebAuthnCredential.objects.filter(pk=pk, user=user).delete()
    if deleted:
        audit_record(action="agencies.second_factor.passkey_removed", actor=user, request=request)
    return bool(deleted)


def passkey_of(*, user: Any, passkey_id: Any) -> WebAuthnCredential | None:
    """One of the user's own confirmed passkeys, or None (another user's is None too)."""
    try:
        pk = int(str(passkey_id))
    except ValueError:
        return None
    return WebAuthnCredential.objects.filter(pk=pk, user=user, confirmed=True).first()


def _clean(code: str) -> str:
    return "".join(str(code or "").split()).lower()[:16]


# --- API tokens ----------------------------------------------------------------------


@transaction.atomic
def api_token_issue(*, user: Any, name: str = "api", request: Any = None) -> tuple[ApiToken, str]:
    """A new token for one named client; only its digest is stored. Expired tokens go."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    token, key = ApiToken.objects.create(user=user, name=name)
    audit_record(action="agencies.auth_token.issued", actor=user, request=request, detail={"name": name})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, request: Any = None) -> None:
    user = token.user
    token.delete()
    audit_record(action="agencies.auth_token.revoked", actor=user, request=request, detail={"name": token.name})


# --- Ending everything ----------------------------------------------------------------


def _end_sessions_and_tokens(user: Any) -> None:
    UserSession.objects.filter(user_id=user.pk).delete()
    ApiToken.objects.filter(user_id=user.pk).delete()


def credentials_revoked_on_change(*, user: Any, password_changed: bool, deactivated: bool) -> None:
    """Called whenever a login's password or activity changes (agencies.apps: every path of change,
    the admin, `manage.py changepassword` and our services alike): a new password revokes every API
    token (the other sessions already end: their auth hash no longer matches); deactivation ends
    every session and token at once, so reactivating brings none of them back."""
    if deactivated:
        _end_sessions_and_tokens(user)
    elif password_changed:
        ApiToken.objects.filter(user_id=user.pk).delete()
    else:
        return
    audit_record(
        action="agencies.credentials.revoked",
        subject_type="user",
        detail={"user": user.pk, "reason": "deactivated" if deactivated else "password_changed"},
    )
