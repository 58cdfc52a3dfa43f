from typing import Any

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = "Workspace"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_signed_in, dispatch_uid="workspace.signed_in")


def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every sign-in (pages, admin, tests' force_login) starts the session's clocks."""
    if request is not None and hasattr(request, "session"):
        from workspace.middleware import session_started

        session_started(request, user)
