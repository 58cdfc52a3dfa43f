from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Service-user portal"

    def ready(self) -> None:
        # Registries instead of lists: accountability and the case page never import portal.
        from accountability.registry import register_due_source, register_notice_kind
        from cases.demo import register_demo_step
        from cases.pages import CaseSection, register_case_section
        from portal.demo import seed_portal_demo
        from portal.due import PORTAL_MESSAGES
        from portal.notices import NOTICE_KINDS
        from portal.views import case_portal_section

        register_due_source(PORTAL_MESSAGES)
        register_case_section(CaseSection(name="portal", order=20, render=case_portal_section))
        register_demo_step("portal", seed_portal_demo)
        for kind in NOTICE_KINDS:
            register_notice_kind(kind)
