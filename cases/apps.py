from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from accountability.registry import register_notice_kind
        from cases.family_views import case_family_section
        from cases.notices import NOTICE_KINDS
        from cases.pages import CaseSection, register_case_section

        register_case_section(CaseSection(name="family", order=5, render=case_family_section))
        for kind in NOTICE_KINDS:
            register_notice_kind(kind)
