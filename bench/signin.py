"""A signed-in test client for the benchmark, as after both sign-in steps: the password and, with
REQUIRE_2FA on (production's default, which the benchmark keeps), a verified second factor (a
recovery-code device of the viewer's, made once). Pages then cost what they cost in production,
the device lookup of django-otp's middleware included."""

from __future__ import annotations

from typing import Any


def signed_in(client: Any, user: Any) -> Any:
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice
    except ImportError:  # a checkout from before two-factor sign-in (bench/cpu_per_request.py)
        return client
    device, _ = StaticDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop("ju_second_factor_due", None)
    session.save()
    return client
