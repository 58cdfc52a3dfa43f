"""The README's tour of the demo (issue 11, found 10): each login it names is checked here
against what `seed_demo` builds, so the tour never promises a feature the demo lacks
(records of several agencies, a refusal and a withdrawn consent, an override waiting for
review, delivered notifications, an overdue item on a case Grace oversees, audit events)."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from accountability.models import Notification, ReminderKind
from agencies.models import Professional
from audit.models import AuditEvent
from cases.models import Case, RoleAssignment
from plans.models import ItemStatus, Milestone
from sharing import selectors as sharing_selectors
from sharing.models import Consent, Record, SafeguardingAccess
from workspace.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

FAST = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py's hasher
README = Path(__file__).resolve().parents[2] / "README.md"


def _tour_logins() -> set[str]:
    text = README.read_text()
    section = text.split("### A tour of the demo")[1].split("\n## ")[0]
    return set(re.findall(r"^\| `([a-z]+)` \|", section, flags=re.M))


def _staff(username):
    return Professional.objects.select_related("user", "team__lead").get(user__username=username)


def _carter():
    return Case.objects.get(people__given_name="Leo", people__family_name="Carter")


def _signed_in(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client, response["Location"]


def claim_tom():
    carter, tom = _carter(), _staff("tom")
    records = Record.objects.filter(case=carter)
    assert {"social_care", "health", "education", "housing", "general"} <= set(
        records.values_list("category", flat=True)
    )
    assert records.values("author_agency").distinct().count() >= 4
    health = records.get(category="health")
    assert sharing_selectors.record_get_for(user=tom.user, record_id=health.id).basis == "consent"
    states = {
        sharing_selectors.consent_state(c)
        for c in Consent.objects.filter(person__cases=carter).annotate()  # no annotation: one query each
    }
    assert {"refused", "withdrawn", "shared"} <= states
    assert Notification.objects.filter(recipient=tom.id).exists()


def claim_grace():
    carter, grace = _carter(), _staff("grace")
    assert RoleAssignment.objects.filter(case=carter, professional=grace, role="team_lead", ended_on__isnull=True)
    overdue = Milestone.objects.get(status=ItemStatus.OPEN, due_date__lt=timezone.localdate())
    assert overdue.case_id == carter.id and overdue.accountable.user.username == "leon"
    assert (timezone.localdate() - overdue.due_date).days == 4
    client, _ = _signed_in("grace")
    team = client.get("/team/").content.decode()
    assert "Caseloads" in team and "Tom Hughes" in team
    assert client.get(f"/team/{_staff('tom').id}/").status_code == 200


def claim_bea():
    bea, leon = _staff("bea"), _staff("leon")
    assert leon.team.lead_id == bea.id
    overdue = Milestone.objects.get(status=ItemStatus.OPEN, due_date__lt=timezone.localdate())
    assert Notification.objects.filter(recipient=bea.id, kind=ReminderKind.ESCALATION, subject_id=overdue.id).exists()
    client, _ = _signed_in("bea")
    row = client.get("/team/").content.decode().split("Leon Clarke")[1].split("</tr>")[0]
    assert "ju-count--overdue" in row


def claim_leon():
    client, landing = _signed_in("leon")
    row = client.get(landing).content.decode().split("Benefits and debt advice appointment booked")[1].split("</tr>")[0]
    assert "Overdue" in row


def claim_nadia():
    nadia = _staff("nadia")
    access = SafeguardingAccess.objects.get(professional=nadia, case=_carter(), outcome="")
    assert access.ended_at is None and access.expires_at > timezone.now()
    assert sharing_selectors.override_records_opened(access=access)
    client, _ = _signed_in("nadia")
    assert "Safeguarding override active" in client.get(f"/cases/{_carter().id}/records/").content.decode()


def claim_helen():
    helen = _staff("helen")
    access = SafeguardingAccess.objects.get(reviewer=helen, outcome="")
    assert access.review_due is not None and access.review_due >= timezone.localdate()  # waiting, not late
    client, landing = _signed_in("helen")
    assert landing == "/governance/reviews/"
    assert "Records opened" in client.get(landing).content.decode()
    opened = client.get(f"/governance/overrides/{access.id}/records/").content.decode()
    assert "<td>Opened</td>" in opened and "Leo Carter" in opened
    trail = client.get("/audit/?person=Leo+Carter")
    assert trail.status_code == 200 and "Opened a record" in trail.content.decode()


def claim_rachel():
    rachel = _staff("rachel")
    assert rachel.is_agency_admin and rachel.user.is_staff
    client, _ = _signed_in("rachel")
    page = client.get("/audit/?actor=Grace").content.decode()
    assert "Saw records in a list" in page and "reads" in page
    assert '<a href="/admin/">Administration</a>' in page
    assert AuditEvent.objects.filter(action="cases.record.listed", actor=_staff("grace").id).count() > 1


def claim_jade():
    client, landing = _signed_in("jade")
    assert landing == "/portal/"
    response = client.get("/portal/information/")  # her own page of who sees what (the portal's)
    page = response.content.decode()
    assert response.status_code == 200, response.status_code
    # the refusal and the withdrawn consent, in the portal's plain words
    assert ": no to" in page and "Taken back on" in page, page[page.find("<main") :][:3000]


CLAIMS = {
    "tom": claim_tom,
    "grace": claim_grace,
    "bea": claim_bea,
    "leon": claim_leon,
    "nadia": claim_nadia,
    "helen": claim_helen,
    "rachel": claim_rachel,
    "jade": claim_jade,
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One seeded demo for every claim (seeding takes a while); removed afterwards."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST):
        call_command("seed_demo", stdout=io.StringIO())
        yield
        call_command("flush", "--noinput", verbosity=0)


def test_the_tour_names_exactly_the_logins_checked_here():
    assert _tour_logins() == set(CLAIMS)


@pytest.mark.parametrize("login", sorted(CLAIMS))
def test_the_demo_supports_the_tour(demo, login, settings):
    settings.REQUIRE_2FA = False  # as `make run` serves the demo (the sign-in page says so)
    CLAIMS[login]()


def test_seeding_ends_with_delivered_notifications(demo):
    assert Notification.objects.values("recipient").distinct().count() >= 4
    assert AuditEvent.objects.filter(action="accountability.reminders.delivered").exists()
