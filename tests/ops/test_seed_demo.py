"""`manage.py seed_demo` loads the demo world through the services, once."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency, Professional, Team
from audit.models import AuditEvent
from cases.models import Case, Person, RoleAssignment
from plans.models import Goal, ItemStatus, Milestone, Review
from workspace.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_demo_world():
    seed()
    assert set(Agency.objects.values_list("kind", flat=True)) == {
        "social_care",
        "health",
        "education",
        "police",
        "housing",
    }
    assert Agency.objects.count() == 5
    assert Professional.objects.count() >= 15
    assert not Agency.objects.filter(information_governance_lead__isnull=True).exists()
    assert not Team.objects.filter(lead__isnull=True).exists()
    assert Case.objects.filter(status="open").count() == 4
    for case in Case.objects.all():
        assert Goal.objects.filter(case=case).exists(), case.reference
        assert Milestone.objects.filter(case=case).count() >= 3, case.reference
        assert Review.objects.filter(case=case).exists(), case.reference
        assert RoleAssignment.objects.filter(case=case, ended_on__isnull=True).count() >= 4, case.reference
    assert Person.objects.filter(interpreter_needed=True, preferred_language="ar").exists()


def test_seed_demo_has_exactly_one_overdue_milestone_with_someone_accountable():
    seed()
    today = timezone.localdate()
    overdue = Milestone.objects.filter(status=ItemStatus.OPEN, due_date__lt=today)
    assert overdue.count() == 1
    assert overdue.get().accountable.is_active
    assert Milestone.objects.filter(status=ItemStatus.OPEN, due_date__gte=today).count() >= 10


def test_demo_logins_share_the_documented_password():
    seed()
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    assert Person.objects.filter(user__username="jade").exists()
    for username in ("admin", "tom", "nadia", "jade"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD), username


def test_running_seed_demo_twice_changes_nothing_the_second_time():
    seed()
    counts = (
        Agency.objects.count(),
        Professional.objects.count(),
        Case.objects.count(),
        Milestone.objects.count(),
        AuditEvent.objects.count(),
    )
    assert "already loaded" in seed()
    assert counts == (
        Agency.objects.count(),
        Professional.objects.count(),
        Case.objects.count(),
        Milestone.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_demo_writes_audit_events_through_the_services():
    seed()
    assert AuditEvent.objects.filter(action="cases.case.opened").count() >= 4
    assert AuditEvent.objects.filter(action="agencies.professional.created").count() == Professional.objects.count()
