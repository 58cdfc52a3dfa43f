from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from cases.family_views import case_family_section
        from cases.pages import CaseSection, register_case_section

        register_case_section(CaseSection(name="family", order=5, render=case_family_section))
