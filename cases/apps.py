from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # accountability never imports cases: cases tells it how to check, at
        # claim time, that a reminder's item is still due to the same person.
        from accountability.services import register_due_checker
        from cases.models import Milestone, Review
        from cases.reminders import still_due_checker

        register_due_checker("milestone", still_due_checker(Milestone, "due_date"))
        register_due_checker("review", still_due_checker(Review, "scheduled_for"))
