from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # accountability never imports cases: cases tells it how to check, at
        # claim time, that a reminder's item is still due to the same person.
        from accountability.selectors import register_accountable_items_source
        from accountability.services import register_due_checker
        from cases.models import Milestone, Review
        from cases.reminders import accountable_items, still_due_checker

        register_due_checker("milestone", still_due_checker(Milestone, "due_date"))
        register_due_checker("review", still_due_checker(Review, "scheduled_for"))
        register_accountable_items_source(accountable_items)
