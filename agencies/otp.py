"""django-otp's middleware (request.user.is_verified(), request.user.otp_device), with the device
of the session loaded by a prepared query (agencies.prepared): every signed-in request loads it.

Floor 2. May use: Django, django-otp."""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from agencies.prepared import PreparedQuery


@functools.cache
def _device_query(app_label: str, model_name: str) -> PreparedQuery | None:
    device_cls = apps.get_model(app_label, model_name)
    if not issubclass(device_cls, Device):
        return None
    return PreparedQuery(
        lambda *, device_id: device_cls.objects.filter(id=device_id).order_by()[:1],
        device_id=device_cls._meta.pk.__class__(),
    )


def device_from_persistent_id(persistent_id: str) -> Any:
    """What Device.from_persistent_id answers (None for anything malformed or unknown)."""
    try:
        model_label, device_id = persistent_id.rsplit("/", 1)
        app_label, model_name = model_label.split(".")
        query = _device_query(app_label, model_name)
        if query is None:
            return None
        found = query.objects(device_id=int(device_id))
    except (ValueError, LookupError):
        return None
    return found[0] if found else None


class PreparedOTPMiddleware(OTPMiddleware):
    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        return device_from_persistent_id(self._normalize_persistent_id(persistent_id))
