"""Seed a fresh database (run as a separate process) with professionals, a case and
milestones due in 7 days: `python -m tests.reminders.seed_procs N`. Prints today's date."""

import sys

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies import services as agency_services  # noqa: E402
from cases import services as case_services  # noqa: E402
from plans import services as plan_services  # noqa: E402


def main(n: int) -> None:
    today = timezone.localdate()
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "a-long-password-1")
    agency = agency_services.agency_create(name="Northvale Community Health", kind="health", actor=admin)
    team = agency_services.team_create(agency=agency, name="Health visiting", actor=admin)

    def prof(username):
        return agency_services.professional_create(
            username=username,
            password="a-long-password-1",
            given_name=username.title(),
            family_name="Tester",
            agency=agency,
            team=team,
            profession="nurse",
            email=f"{username}@example.org",
            actor=admin,
        )

    lead, nia, sam = prof("hal"), prof("nia"), prof("sam")
    agency_services.team_update(team=team, lead=lead, actor=admin)
    person = case_services.person_register(given_name="Maya", family_name="Okafor", actor=sam.user)
    case = case_services.case_open(title="Okafor family support", people=[person], lead=sam, actor=sam.user)
    case_services.assignment_add(case=case, professional=nia, role="contributor", actor=sam.user)
    goal = plan_services.goal_add(
        case=case,
        description="Maya attends school",
        measure="Attendance",
        target_date=today + timedelta(days=90),
        plain_summary="Maya goes to school",
        actor=sam.user,
    )
    for i in range(n):
        plan_services.milestone_add(
            case=case,
            goal=goal,
            title=f"Step {i}",
            due_date=today + timedelta(days=7),
            accountable=nia if i % 2 else sam,
            plain_summary="",
            actor=sam.user,
        )
    # Set-up is not news (as in tests/conftest.py's world): the "added to a case team" notice is cleared.
    from accountability.models import Reminder
    from cases.notices import ADDED_TO_TEAM

    Reminder.objects.filter(kind=ADDED_TO_TEAM).delete()
    print(today.isoformat())


if __name__ == "__main__":
    main(int(sys.argv[1]))
