from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing"

    def ready(self) -> None:
        # Registries instead of lists: accountability and the case page never import sharing.
        from accountability.registry import register_due_source
        from cases.pages import CaseSection, register_case_section
        from sharing.due import OVERRIDE_REVIEWS, SUBJECT_ACCESS_REQUESTS
        from sharing.views import case_records_section

        register_due_source(OVERRIDE_REVIEWS)
        register_due_source(SUBJECT_ACCESS_REQUESTS)
        register_case_section(CaseSection(name="sharing", order=50, render=case_records_section))
