"""`manage.py seed_demo`: a believable demo world, built through the services.

Five agencies around one town, their teams, team leads and information-governance
leads, and four families whose needs echo real partnership work. Every demo login
shares one password (DEMO_PASSWORD, listed in the README). Idempotent: when the
demo data is already there it does nothing, so `make run` can call it on every start.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Agency, Professional
from cases import services as case_services
from cases.demo import demo_steps
from cases.models import Case
from meetings.demo import seed_meetings
from plans import services as plan_services
from plans.models import Milestone, ReviewKind
from sharing.demo import seed_sharing_demo

DEMO_PASSWORD = "joinedup-demo-2026"
MARKER_AGENCY = "Riverside Children's Social Care"


@dataclass(frozen=True)
class Staff:
    username: str
    given_name: str
    family_name: str
    profession: str
    team: str | None
    leads_team: bool = False
    ig_lead: bool = False
    agency_admin: bool = False


AGENCIES: list[tuple[str, str, list[Staff]]] = [
    (
        MARKER_AGENCY,
        "social_care",
        [
            Staff("grace", "Grace", "Adeyemi", "manager", "Family Support", leads_team=True),
            Staff("tom", "Tom", "Hughes", "social_worker", "Family Support"),
            Staff("priya", "Priya", "Shah", "social_worker", "Family Support"),
            Staff("daniel", "Daniel", "Okoro", "manager", "Adult Social Care", leads_team=True),
            Staff("ellen", "Ellen", "Price", "social_worker", "Adult Social Care"),
            Staff("rachel", "Rachel", "Moore", "manager", None, ig_lead=True, agency_admin=True),
        ],
    ),
    (
        "Riverside Community Health NHS Trust",
        "health",
        [
            Staff("fiona", "Fiona", "Campbell", "manager", "Health Visiting", leads_team=True),
            Staff("nadia", "Nadia", "Rahman", "health_visitor", "Health Visiting"),
            Staff("owen", "Owen", "Davies", "manager", "Community Nursing", leads_team=True),
            Staff("lucy", "Lucy", "Turner", "nurse", "Community Nursing"),
            Staff("ahmed", "Ahmed", "Khan", "gp", "Community Nursing"),
            Staff("helen", "Helen", "Wright", "manager", None, ig_lead=True),
        ],
    ),
    (
        "Brookfield Primary School",
        "education",
        [
            Staff("claire", "Claire", "Evans", "manager", "Pastoral Care", leads_team=True, ig_lead=True),
            Staff("jess", "Jess", "Morgan", "teacher", "Pastoral Care"),
        ],
    ),
    (
        "Riverside Police",
        "police",
        [
            Staff("ian", "Ian", "Fletcher", "manager", "Neighbourhood Policing", leads_team=True, ig_lead=True),
            Staff("kofi", "Kofi", "Mensah", "police_officer", "Neighbourhood Policing"),
        ],
    ),
    (
        "Riverside Homes Housing Association",
        "housing",
        [
            Staff("bea", "Bea", "Lawson", "manager", "Tenancy Support", leads_team=True, ig_lead=True),
            Staff("leon", "Leon", "Clarke", "housing_officer", "Tenancy Support"),
        ],
    ),
]


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class Command(BaseCommand):
    help = "Load the demo agencies, professionals and families (does nothing if they are already loaded)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Agency.objects.filter(name=MARKER_AGENCY).exists():
            self.stdout.write("Demo data is already loaded; nothing to do.")
            return
        with transaction.atomic():
            admin = self._admin()
            staff = self._agencies(admin)
            self._families(staff)
            for step in demo_steps():  # registered by other apps (cases.demo)
                step(staff)
            seed_meetings(staff)
        # The first reminder scan now, not 15 minutes after `make run` starts: reminders,
        # the overdue item's escalation and the override review's reminder are delivered.
        call_command("send_reminders", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {Agency.objects.count()} agencies, {Professional.objects.count()} professionals, "
                f"{Case.objects.count()} cases. Sign in at /accounts/login/ as admin, tom, grace, nadia, ... "
                f"or jade (portal) with the demo password from the README."
            )
        )

    def _admin(self) -> Any:
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser("admin", "admin@joinedup.invalid", DEMO_PASSWORD)
        return admin

    def _agencies(self, admin: Any) -> dict[str, Professional]:
        staff: dict[str, Professional] = {}
        for name, kind, people in AGENCIES:
            agency = agency_services.agency_create(name=name, kind=kind, actor=admin)
            teams = {}
            for team_name in dict.fromkeys(s.team for s in people if s.team):
                teams[team_name] = agency_services.team_create(agency=agency, name=team_name, actor=admin)
            for s in people:
                staff[s.username] = agency_services.professional_create(
                    username=s.username,
                    password=DEMO_PASSWORD,
                    given_name=s.given_name,
                    family_name=s.family_name,
                    agency=agency,
                    team=teams[s.team] if s.team else None,
                    profession=s.profession,
                    email=f"{s.username}@joinedup.invalid",
                    is_agency_admin=s.agency_admin,
                    actor=admin,
                )
                if s.leads_team and s.team:
                    agency_services.team_update(team=teams[s.team], lead=staff[s.username], actor=admin)
                if s.ig_lead:
                    agency_services.agency_update(
                        agency=agency, information_governance_lead=staff[s.username], actor=admin
                    )
        return staff

    def _families(self, p: dict[str, Professional]) -> None:
        self._carter(p)
        self._bennett(p)
        self._reid(p)
        self._haddad(p)
        seed_sharing_demo(p)  # records, consents, an override and reads on the Carter case

    def _team(self, case: Case, lead: Professional, members: dict[str, str], p: dict[str, Professional]) -> None:
        for username, role in members.items():
            case_services.assignment_add(case=case, professional=p[username], role=role, actor=lead.user)

    def _carter(self, p: dict[str, Professional]) -> None:
        """A child at risk in a family under financial stress."""
        tom = p["tom"]
        jade = case_services.person_register(
            given_name="Jade", family_name="Carter", date_of_birth=datetime.date(1996, 7, 2), actor=tom.user
        )
        leo = case_services.person_register(
            given_name="Leo", family_name="Carter", date_of_birth=datetime.date(2019, 11, 20), actor=tom.user
        )
        case = case_services.case_open(
            title="Carter family: Leo's safety and the family's finances", people=[jade, leo], lead=tom, actor=tom.user
        )
        self._team(
            case, tom, {"jess": "contributor", "nadia": "contributor", "leon": "key_worker", "grace": "team_lead"}, p
        )
        safe = plan_services.goal_add(
            case=case,
            description="Leo is safe at home and goes to school every day.",
            measure="Attendance of 95% or more over the half term; no new safeguarding concerns at the review.",
            target_date=_in(84),
            plain_summary="Leo feels safe at home and goes to school every day.",
            actor=tom.user,
        )
        money = plan_services.goal_add(
            case=case,
            description="The family's rent arrears are on an affordable repayment plan and their income is maximised.",
            measure="A repayment plan agreed with Riverside Homes and a completed benefits check.",
            target_date=_in(56),
            plain_summary="Your rent is back on track and you get all the money you should get.",
            actor=tom.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=safe,
            title="Home visit to see Leo and talk with Jade",
            due_date=_in(1),
            accountable=tom,
            plain_summary="Tom visits you at home to see Leo and talk with you.",
            actor=tom.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=safe,
            title="Daily attendance check shared with the case team",
            due_date=_in(7),
            accountable=p["jess"],
            plain_summary="School tells us each week if Leo gets to school.",
            actor=tom.user,
        )
        overdue = plan_services.milestone_add(
            case=case,
            goal=money,
            title="Benefits and debt advice appointment booked",
            due_date=_in(1),
            accountable=p["leon"],
            plain_summary="Leon books a time for you to check your money and debts.",
            actor=tom.user,
        )
        repayment = plan_services.milestone_add(
            case=case,
            goal=money,
            title="Repayment plan agreed for the rent arrears",
            due_date=_in(21),
            accountable=p["leon"],
            plain_summary="We make a plan to pay back the rent you owe, a bit at a time.",
            actor=tom.user,
        )
        # A moved date: the professional reason stays with the team; Jade's portal shows only the
        # plain one (decision 0070).
        plan_services.milestone_redate(
            milestone=repayment,
            due_date=_in(28),
            reason="Riverside Homes' income officer is on leave; their panel sits a week later.",
            reason_for_person="Riverside Homes needs one more week to look at it.",
            actor=p["leon"].user,
        )
        plan_services.review_add(
            case=case, scheduled_for=_in(14), accountable=tom, kind=ReviewKind.CONFERENCE, actor=tom.user
        )
        plan_services.review_add(case=case, scheduled_for=_in(42), accountable=tom, actor=tom.user)
        case_services.person_portal_account_create(person=jade, username="jade", password=DEMO_PASSWORD, actor=tom.user)
        # The services refuse due dates in the past (a new duty can't start late), but a demo
        # needs one overdue item so the overdue tag, reminders and escalation have something
        # to show. Moving the date back after creation is the honest way to get one; this
        # update is demo set-up only and no application code path does it.
        Milestone.objects.filter(pk=overdue.pk).update(due_date=_in(-4))

    def _bennett(self, p: dict[str, Professional]) -> None:
        """An older man living alone after a fall."""
        ellen = p["ellen"]
        arthur = case_services.person_register(
            given_name="Arthur", family_name="Bennett", date_of_birth=datetime.date(1943, 2, 9), actor=ellen.user
        )
        case = case_services.case_open(
            title="Arthur Bennett: staying safe at home after a fall", people=[arthur], lead=ellen, actor=ellen.user
        )
        self._team(
            case, ellen, {"lucy": "key_worker", "ahmed": "contributor", "bea": "contributor", "daniel": "team_lead"}, p
        )
        home = plan_services.goal_add(
            case=case,
            description="Arthur lives safely at home without another fall.",
            measure="No falls reported over eight weeks; grab rails and a pendant alarm in place.",
            target_date=_in(60),
            plain_summary="You can stay in your own home and feel steady on your feet.",
            actor=ellen.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=home,
            title="Falls risk assessment at home",
            due_date=_in(3),
            accountable=p["lucy"],
            plain_summary="Lucy comes to see what could help you not fall.",
            actor=ellen.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=home,
            title="Grab rails and pendant alarm fitted",
            due_date=_in(12),
            accountable=p["bea"],
            plain_summary="Riverside Homes puts in rails. They give you an alarm to press if you need help.",
            actor=ellen.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=home,
            title="Medication review with the GP",
            due_date=_in(18),
            accountable=p["ahmed"],
            plain_summary="Your doctor checks if any of your pills make you feel dizzy.",
            actor=ellen.user,
        )
        plan_services.review_add(case=case, scheduled_for=_in(28), accountable=ellen, actor=ellen.user)

    def _reid(self, p: dict[str, Professional]) -> None:
        """An adult recovering from alcohol dependence."""
        lucy = p["lucy"]
        marcus = case_services.person_register(
            given_name="Marcus", family_name="Reid", date_of_birth=datetime.date(1984, 5, 17), actor=lucy.user
        )
        case = case_services.case_open(
            title="Marcus Reid: recovery and keeping his tenancy", people=[marcus], lead=lucy, actor=lucy.user
        )
        self._team(
            case, lucy, {"ellen": "key_worker", "bea": "contributor", "kofi": "contributor", "owen": "team_lead"}, p
        )
        recovery = plan_services.goal_add(
            case=case,
            description="Marcus stays in recovery and takes part in a structured support programme.",
            measure="Attends at least 10 of 12 weekly recovery group sessions.",
            target_date=_in(84),
            plain_summary="You keep going on your path away from drink, with help each week.",
            actor=lucy.user,
        )
        tenancy = plan_services.goal_add(
            case=case,
            description="Marcus keeps his tenancy with no further notices.",
            measure="No new tenancy warnings and rent paid on time for three months.",
            target_date=_in(90),
            plain_summary="You keep your home.",
            actor=lucy.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=recovery,
            title="Referral to the community recovery group",
            due_date=_in(5),
            accountable=lucy,
            plain_summary="Lucy finds you a group to go to each week.",
            actor=lucy.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=recovery,
            title="Check-in after the first four sessions",
            due_date=_in(30),
            accountable=p["ellen"],
            plain_summary="Ellen meets you to talk about how the group is going.",
            actor=lucy.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=tenancy,
            title="Tenancy sustainment visit",
            due_date=_in(10),
            accountable=p["bea"],
            plain_summary="Bea comes to help you keep your home.",
            actor=lucy.user,
        )
        plan_services.review_add(case=case, scheduled_for=_in(35), accountable=lucy, actor=lucy.user)

    def _haddad(self, p: dict[str, Professional]) -> None:
        """A newly arrived family who need an interpreter."""
        priya = p["priya"]
        rana = case_services.person_register(
            given_name="Rana",
            family_name="Haddad",
            date_of_birth=datetime.date(1990, 1, 25),
            preferred_language="ar",
            interpreter_needed=True,
            actor=priya.user,
        )
        yusuf = case_services.person_register(
            given_name="Yusuf",
            family_name="Haddad",
            date_of_birth=datetime.date(2017, 9, 3),
            preferred_language="ar",
            interpreter_needed=True,
            actor=priya.user,
        )
        lina = case_services.person_register(
            given_name="Lina",
            family_name="Haddad",
            date_of_birth=datetime.date(2022, 4, 11),
            preferred_language="ar",
            interpreter_needed=True,
            actor=priya.user,
        )
        case = case_services.case_open(
            title="Haddad family: settling in, school and health",
            people=[rana, yusuf, lina],
            lead=priya,
            actor=priya.user,
        )
        self._team(
            case, priya, {"jess": "contributor", "nadia": "key_worker", "leon": "contributor", "grace": "team_lead"}, p
        )
        settle = plan_services.goal_add(
            case=case,
            description="Yusuf has a school place and the family are registered with a GP and health visitor.",
            measure="Yusuf attending Brookfield Primary; GP registration and a health visitor contact for Lina.",
            target_date=_in(42),
            plain_summary="Yusuf goes to school, and you all have a doctor and a nurse for the children.",
            actor=priya.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=settle,
            title="Arabic interpreter booked for the first family meeting",
            due_date=_in(1),
            accountable=priya,
            plain_summary="We get someone who speaks Arabic to come when we first meet.",
            actor=priya.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=settle,
            title="School admission meeting for Yusuf",
            due_date=_in(9),
            accountable=p["jess"],
            plain_summary="You meet the school with an interpreter to start Yusuf's place.",
            actor=priya.user,
        )
        plan_services.milestone_add(
            case=case,
            goal=settle,
            title="Health visitor contact for Lina",
            due_date=_in(14),
            accountable=p["nadia"],
            plain_summary="Nadia comes to see you and Lina. She is a nurse for small children.",
            actor=priya.user,
        )
        plan_services.review_add(case=case, scheduled_for=_in(30), accountable=priya, actor=priya.user)
