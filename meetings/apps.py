from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # Registries instead of lists: accountability and the case page never import meetings.
        from accountability.registry import register_calendar_source, register_due_source, register_notice_kind
        from cases.pages import CaseSection, register_case_section
        from meetings.due import DISSENT_ANSWERS, NEXT_MEETINGS, PENDING_VIEWS, meeting_calendar_events
        from meetings.notices import NOTICE_KINDS
        from meetings.views import case_meetings_section

        register_due_source(PENDING_VIEWS)
        register_due_source(DISSENT_ANSWERS)
        register_due_source(NEXT_MEETINGS)
        register_calendar_source(meeting_calendar_events)
        register_case_section(CaseSection(name="meetings", order=20, render=case_meetings_section))
        for kind in NOTICE_KINDS:
            register_notice_kind(kind)
