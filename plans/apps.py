from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        # Registries instead of lists: accountability and the case page never import plans.
        from accountability.registry import register_due_source
        from cases.pages import CaseSection, register_case_section
        from plans.due import MILESTONES, REVIEWS
        from plans.views import case_plan_section

        register_due_source(MILESTONES)
        register_due_source(REVIEWS)
        register_case_section(CaseSection(name="plan", order=10, render=case_plan_section))
