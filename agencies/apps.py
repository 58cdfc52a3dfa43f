from typing import Any

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        # A signal, not a service call: a password or a login's activity changes through Django's
        # admin, `manage.py changepassword` and password forms as well as through our services, and
        # revoking what the old credentials opened must follow every one of them.
        pre_save.connect(_login_changed, sender=get_user_model(), dispatch_uid="agencies.login_changed")


def _login_changed(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login at every sign-in: nothing to compare
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    from agencies.accounts import credentials_revoked_on_change

    # Django re-hashes a password with a stronger hasher at sign-in (save(update_fields=["password"])
    # with no new password set): the same password, nothing to revoke.
    rehash = update_fields is not None and set(update_fields) == {"password"} and instance._password is None
    credentials_revoked_on_change(
        user=instance,
        password_changed=before["password"] != instance.password and not rehash,
        deactivated=before["is_active"] and not instance.is_active,
    )
