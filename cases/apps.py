from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # accountability never imports cases: cases tells it how to check, at
        # claim time, that a reminder's item is still due to the same person.
        from accountability.selectors import register_accountable_items_source
        from accountability.services import register_due_checker
        from cases.reminders import SOURCES_BY_TYPE, accountable_items, still_due_checker

        for subject_type in SOURCES_BY_TYPE:
            register_due_checker(subject_type, still_due_checker(subject_type))
        register_accountable_items_source(accountable_items)
