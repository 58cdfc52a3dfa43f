from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        from accountability.registry import register_notice_kind
        from accountability.words import OWN_KINDS

        for kind in OWN_KINDS:  # first, so the digest lists them before the kinds other apps tell
            register_notice_kind(kind)
