"""What an authenticator app computes: the current TOTP code of a django-otp TOTPDevice."""

import time

from django_otp.oath import TOTP


def code_now(device, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"
