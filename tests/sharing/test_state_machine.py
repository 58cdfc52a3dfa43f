"""A Hypothesis state machine over the sharing policy: random sequences of consent
given / refused / withdrawn / expiring, overrides taken and expiring, roles starting
and ending, records written, and reads by every professional.

Invariants: a read succeeds exactly when an independent oracle of the rules in
DESIGN.md allows it (with the same basis), lists return exactly the oracle's set,
and each successful read has its audit event. Time moves by shifting the stored
dates and times back (the same as the clock moving forward)."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from agencies import services as agency_services
from audit.models import AuditEvent
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import RoleAssignment
from sharing import policy
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services
from sharing.models import Consent, SafeguardingAccess
from tests.sharing.conftest import JUSTIFICATION

# Few values, so that random sequences often hit the interesting combinations.
SHARED_CATEGORIES = ["health", "social_care"]
ABOUT = [("p1",), ("p2",), ("p1", "p2")]
CATEGORIES = ["general", *SHARED_CATEGORIES]
VIEWERS = ["sam", "nia", "hal", "oz", "pc"]


@dataclass
class ModelConsent:
    id: object
    person: str
    category: str
    agency: str
    decision: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    recorded: tuple  # (created_at, id as text): the order decisions were recorded in
    withdrawn: bool = False

    def in_force(self, today: datetime.date) -> bool:
        return self.valid_from <= today and (self.valid_until is None or today <= self.valid_until)


@dataclass
class ModelOverride:
    professional: str
    category: str
    started_at: datetime.datetime
    expires_at: datetime.datetime
    ended: bool = False

    def active(self, now: datetime.datetime) -> bool:
        return not self.ended and self.started_at <= now < self.expires_at


@dataclass
class ModelRecord:
    id: object
    agency: str
    category: str
    about: frozenset[str]


@dataclass
class Oracle:
    """The rules of DESIGN.md 'Information sharing', written independently of cases.sharing."""

    agency_of: dict[str, str]
    team_lead_of: dict[str, str | None]
    members: set[str] = field(default_factory=set)
    consents: list[ModelConsent] = field(default_factory=list)
    overrides: list[ModelOverride] = field(default_factory=list)
    records: list[ModelRecord] = field(default_factory=list)

    def shares(self, person: str, category: str, agency: str, today: datetime.date) -> bool:
        """The latest decision in force for this person, category and agency is a given
        consent that is not withdrawn (a later refusal or withdrawal stops sharing)."""
        in_force = [
            c
            for c in self.consents
            if c.person == person and c.category == category and c.agency == agency and c.in_force(today)
        ]
        if not in_force:
            return False
        latest = max(in_force, key=lambda c: c.recorded)
        return latest.decision == "given" and not latest.withdrawn

    def sees_case(self, viewer: str) -> bool:
        return viewer in self.members or any(self.team_lead_of.get(m) == viewer for m in self.members)

    def basis(self, viewer: str, record: ModelRecord) -> str | None:
        if not self.sees_case(viewer):
            return None
        agency = self.agency_of[viewer]
        if record.agency == agency:
            return "own_agency"
        if record.category == "general":
            return "coordination"
        today, now = timezone.localdate(), timezone.now()
        if all(self.shares(p, record.category, agency, today) for p in record.about):
            return "consent"
        if any(o.professional == viewer and o.category == record.category and o.active(now) for o in self.overrides):
            return "override"
        return None


class SharingMachine(RuleBasedStateMachine):
    world = None  # set by the test
    pros: dict = {}

    def __init__(self):
        super().__init__()
        w = self.world
        self.people = {
            "p1": case_services.person_register(given_name="Ada", family_name="One", actor=w.sam.user),
            "p2": case_services.person_register(given_name="Bo", family_name="Two", actor=w.sam.user),
        }
        # Each person records their own decisions through their portal account (nobody on
        # the case grants their own agency access, and the team changes as the machine runs).
        for key, person in self.people.items():
            case_services.person_portal_account_create(
                person=person, username=f"{key}-{person.pk.hex[:12]}", password=w.password, actor=w.sam.user
            )
        self.case = case_services.case_open(
            title="Machine family", people=list(self.people.values()), lead=w.sam, actor=w.sam.user
        )
        self.agencies = {"health": w.health, "social": w.social, "police": self.pros["pc"].agency}
        self.oracle = Oracle(
            agency_of={name: self._agency_name(p) for name, p in self.pros.items()},
            team_lead_of={name: self._lead_name(p) for name, p in self.pros.items()},
            members={"sam"},
        )
        # Start with nia (health) and pc (police) on the team and a record of every
        # category, author agency and set of people, so consents matter from step one.
        for who in ("nia", "pc"):
            case_services.assignment_add(
                case=self.case, professional=self.pros[who], role="contributor", actor=w.sam.user
            )
            self.oracle.members.add(who)
        for author in ("sam", "nia"):
            for category in CATEGORIES:
                for about in (("p1",), ("p1", "p2")):
                    self._write(author, category, about)

    def _write(self, author, category, about):
        record = sharing_services.record_write(
            case=self.case,
            category=category,
            text="Note written by the state machine.",
            about=[self.people[p] for p in about],
            actor=self.pros[author].user,
        )
        self.oracle.records.append(ModelRecord(record.id, self.oracle.agency_of[author], category, frozenset(about)))

    def _agency_name(self, professional):
        return next(k for k, a in self.agencies.items() if a.pk == professional.agency_id)

    def _lead_name(self, professional):
        lead_id = professional.team.lead_id if professional.team_id else None
        return next((k for k, p in self.pros.items() if p.pk == lead_id), None)

    # --- changes ---------------------------------------------------------------------

    @rule(data=st.data(), category=st.sampled_from(CATEGORIES), about=st.sampled_from(ABOUT))
    def write_record(self, data, category, about):
        author = data.draw(st.sampled_from(sorted(self.oracle.members)), label="author")
        self._write(author, category, about)

    @rule(
        person=st.sampled_from(["p1", "p2"]),
        category=st.sampled_from(SHARED_CATEGORIES),
        agency=st.sampled_from(["health", "social", "police"]),
        decision=st.sampled_from(["given", "given", "refused"]),
        starts=st.integers(min_value=-2, max_value=1),
        lasts=st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
    )
    def record_consent(self, person, category, agency, decision, starts, lasts):
        valid_from = timezone.localdate() + datetime.timedelta(days=starts)
        valid_until = None if lasts is None else valid_from + datetime.timedelta(days=lasts)
        c = sharing_services.consent_record(
            person=self.people[person],
            category=category,
            agency=self.agencies[agency],
            purpose="Joint plan",
            decision=decision,
            valid_from=valid_from,
            valid_until=valid_until,
            given_by="Parent",
            actor=self.people[person].user,
        )
        self.oracle.consents.append(
            ModelConsent(c.id, person, category, agency, decision, valid_from, valid_until, (c.created_at, str(c.id)))
        )

    def _withdrawable(self):
        return [c for c in self.oracle.consents if not c.withdrawn and c.decision == "given"]

    @precondition(lambda self: self._withdrawable())
    @rule(data=st.data())
    def withdraw_consent(self, data):
        open_ = self._withdrawable()
        chosen = data.draw(st.sampled_from(open_), label="consent")
        consent = Consent.objects.get(pk=chosen.id)
        sharing_services.consent_withdraw(consent=consent, actor=self.people[chosen.person].user)
        chosen.withdrawn = True

    @rule(days=st.integers(min_value=1, max_value=3))
    def days_pass(self, days):
        delta = datetime.timedelta(days=days)
        Consent.objects.filter(person__in=self.people.values()).update(
            valid_from=F("valid_from") - delta, valid_until=F("valid_until") - delta
        )
        SafeguardingAccess.objects.filter(case=self.case).update(
            started_at=F("started_at") - delta, expires_at=F("expires_at") - delta
        )
        for c in self.oracle.consents:
            c.valid_from -= delta
            c.valid_until = None if c.valid_until is None else c.valid_until - delta
        for o in self.oracle.overrides:
            o.started_at -= delta
            o.expires_at -= delta

    @rule(hours=st.sampled_from([1, 30, 71, 73]))
    def hours_pass(self, hours):
        delta = datetime.timedelta(hours=hours)
        SafeguardingAccess.objects.filter(case=self.case).update(
            started_at=F("started_at") - delta, expires_at=F("expires_at") - delta
        )
        for o in self.oracle.overrides:
            o.started_at -= delta
            o.expires_at -= delta

    @rule(data=st.data(), category=st.sampled_from(SHARED_CATEGORIES))
    def take_override(self, data, category):
        able = [v for v in VIEWERS if self.oracle.sees_case(v)]
        viewer = data.draw(st.sampled_from(able), label="viewer")
        now = timezone.now()
        already = any(
            o.professional == viewer and o.category == category and o.active(now) for o in self.oracle.overrides
        )
        try:
            access = sharing_services.safeguarding_access_take(
                case=self.case,
                category=category,
                lawful_basis="child_at_risk",
                justification=JUSTIFICATION,
                actor=self.pros[viewer].user,
            )
        except ValidationError:
            assert already, "an override was refused although none was active"
            return
        assert not already, "a second active override for the same category was allowed"
        self.oracle.overrides.append(ModelOverride(viewer, category, access.started_at, access.expires_at))

    @precondition(lambda self: any(o.active(timezone.now()) for o in self.oracle.overrides))
    @rule(data=st.data())
    def end_override(self, data):
        now = timezone.now()
        active = [o for o in self.oracle.overrides if o.active(now)]
        if not active:
            return
        chosen = data.draw(st.sampled_from(active), label="override")
        access = SafeguardingAccess.objects.get(
            case=self.case,
            professional=self.pros[chosen.professional],
            category=chosen.category,
            ended_at__isnull=True,
            expires_at=chosen.expires_at,
        )
        sharing_services.safeguarding_access_end(access=access, actor=self.pros[chosen.professional].user)
        chosen.ended = True

    @precondition(lambda self: set(VIEWERS) - self.oracle.members)
    @rule(data=st.data())
    def start_role(self, data):
        outside = [v for v in VIEWERS if v not in self.oracle.members]
        if not outside:
            return
        who = data.draw(st.sampled_from(outside), label="professional")
        case_services.assignment_add(
            case=self.case, professional=self.pros[who], role="contributor", actor=self.world.sam.user
        )
        self.oracle.members.add(who)

    @precondition(lambda self: self.oracle.members - {"sam"})
    @rule(data=st.data())
    def end_role(self, data):
        removable = sorted(self.oracle.members - {"sam"})
        if not removable:
            return
        who = data.draw(st.sampled_from(removable), label="professional")
        assignment = RoleAssignment.objects.get(case=self.case, professional=self.pros[who], ended_on__isnull=True)
        case_services.assignment_end(assignment=assignment, actor=self.world.sam.user)
        self.oracle.members.discard(who)

    # --- reads -----------------------------------------------------------------------------

    @rule(data=st.data(), viewer=st.sampled_from(VIEWERS))
    def read_one(self, data, viewer):
        if not self.oracle.records:
            return
        record = data.draw(st.sampled_from(self.oracle.records), label="record")
        expected = self.oracle.basis(viewer, record)
        user = self.pros[viewer].user
        viewed = AuditEvent.objects.filter(
            action="cases.record.viewed", subject_id=record.id, actor=self.pros[viewer].id
        )
        refused = AuditEvent.objects.filter(action="cases.record.access_refused", subject_id=record.id)
        before_viewed, before_refused = viewed.count(), refused.count()
        try:
            got = sharing_selectors.record_get_for(user=user, record_id=record.id)
        except Http404:
            assert expected is None, f"{viewer} was refused a record the rules allow ({expected})"
            assert refused.count() == before_refused + 1
            return
        assert expected is not None, f"{viewer} read a record the rules forbid (policy said {got.basis})"
        assert got.basis == expected
        new = list(viewed.order_by("id")[before_viewed:])
        assert {e.person for e in new} == {self.people[p].id for p in record.about}
        assert all(e.basis == expected for e in new)

    @rule(viewer=st.sampled_from(VIEWERS))
    def read_list(self, viewer):
        user = self.pros[viewer].user
        if not self.oracle.sees_case(viewer):
            with pytest.raises(Http404):
                case_selectors.get_case_for(user=user, case_id=self.case.id)
            return
        access = case_selectors.get_case_for(user=user, case_id=self.case.id)
        listed = list(sharing_selectors.record_list_visible_to(user=user, case=access.case))  # audits itself
        expected = {r.id: b for r in self.oracle.records if (b := self.oracle.basis(viewer, r))}
        assert {r.id: r.basis for r in listed} == expected
        for r in listed:
            assert AuditEvent.objects.filter(
                action="cases.record.listed", subject_id=r.id, actor=self.pros[viewer].id, basis=r.basis
            ).exists()

    @invariant()
    def every_viewer_sees_exactly_what_the_rules_allow(self):
        for viewer in VIEWERS:
            expected = {r.id: b for r in self.oracle.records if (b := self.oracle.basis(viewer, r))}
            # The case-scoped SQL (consents gathered once per query) ...
            got = dict(policy.records_visible_to(self.pros[viewer], case=self.case).values_list("id", "basis"))
            assert got == expected, viewer
            # ... and the across-cases SQL (consents probed per record) agree with the rules.
            across = policy.records_visible_to(self.pros[viewer]).filter(case_id=self.case.id)
            assert dict(across.values_list("id", "basis")) == expected, viewer


@pytest.fixture
def police_officer(world):
    police = agency_services.agency_create(name="Northvale Police", kind="police", actor=world.admin)
    return agency_services.professional_create(
        username="pc",
        password=world.password,
        given_name="Pat",
        family_name="Constable",
        agency=police,
        profession="police_officer",
        actor=world.admin,
    )


def test_reads_succeed_exactly_when_the_rules_allow_and_are_audited(world, police_officer):
    SharingMachine.world = world
    SharingMachine.pros = {
        "sam": world.sam,
        "nia": world.nia,
        "hal": world.hal,
        "oz": world.oz,
        "pc": police_officer,
    }
    run_state_machine_as_test(
        SharingMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
