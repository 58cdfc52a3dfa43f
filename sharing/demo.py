"""sharing's part of `manage.py seed_demo`: records, consent decisions, a safeguarding
override and reads of them on the Carter family's case, so the demo shows what is
shared, refused, withdrawn and broken glass on, and the audit trail has something real
to show (every write and read below goes through the services and selectors, so each is
audited as it would be in use).

Floor 5. Demo set-up only; called from workspace's seed_demo.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from agencies.models import Professional
from cases.models import Case, Person
from sharing import selectors, services
from sharing.models import Category, ConsentDecision, LawfulBasis

CARTER_RECORDS = [
    # (author, category, about (given names), text)
    (
        "tom",
        Category.SOCIAL_CARE,
        ["Leo"],
        "Home visit. Leo was playing in the front room and chatted about school. Jade said the "
        "arrears letters are keeping her awake; we agreed a referral for debt advice.",
    ),
    (
        "nadia",
        Category.HEALTH,
        ["Leo"],
        "Development review at the clinic: Leo's growth and speech are on track. Jade asked about "
        "sleep; advice given on a bedtime routine.",
    ),
    (
        "jess",
        Category.EDUCATION,
        ["Leo"],
        "Attendance this half term is 88%. Leo arrives late on Mondays; breakfast club place offered.",
    ),
    (
        "leon",
        Category.HOUSING,
        ["Jade"],
        "Rent account reviewed with Jade: arrears of eight weeks. Possession action is on hold "
        "while a repayment plan is agreed.",
    ),
    (
        "tom",
        Category.GENERAL,
        ["Jade", "Leo"],
        "Core group met at Brookfield Primary. Everyone agreed the plan; next review in two weeks.",
    ),
]

OVERRIDE_JUSTIFICATION = (
    "Leo told me at clinic today that he is scared to go home; I need to see the social care "
    "history now to decide whether to make a safeguarding referral."
)


def seed_sharing_demo(staff: dict[str, Professional]) -> None:
    """Records of four agencies and a general note on the Carter case; the family's consents
    (health shared with children's social care for Jade and Leo, Jade's housing too; Jade's
    housing refused to the school; her education to housing given then withdrawn); Nadia's
    active override on the case's social care records, waiting for Helen's review, with the
    record she opened under it; and
    reads by Tom and Grace, so the audit trail shows list reads, consent and override."""
    case = Case.objects.get(people__family_name="Carter", people__given_name="Leo")
    people = {p.given_name: p for p in Person.objects.filter(cases=case)}
    today = timezone.localdate()
    records = {}
    for author, category, about, text in CARTER_RECORDS:
        records[(author, category)] = services.record_write(
            case=case, category=category, text=text, about=[people[n] for n in about], actor=staff[author].user
        )
    social_care, homes, school = (staff[u].agency for u in ("tom", "leon", "jess"))

    def decide(name: str, category: str, agency: Any, decision: str, by: str) -> Any:
        return services.consent_record(
            person=people[name],
            category=category,
            agency=agency,
            purpose="Joint support plan for Leo and Jade",
            valid_from=today - datetime.timedelta(days=10),
            given_by="Jade Carter" if name == "Jade" else "Jade Carter, his mother, with parental responsibility",
            decision=decision,
            actor=staff[by].user,
        )

    # Nobody records consent for their own agency's sight (DESIGN invariant 9).
    decide("Jade", Category.HEALTH, social_care, ConsentDecision.GIVEN, by="nadia")
    decide("Leo", Category.HEALTH, social_care, ConsentDecision.GIVEN, by="nadia")
    decide("Jade", Category.HOUSING, social_care, ConsentDecision.GIVEN, by="nadia")
    decide("Jade", Category.HOUSING, school, ConsentDecision.REFUSED, by="tom")
    withdrawn = decide("Jade", Category.EDUCATION, homes, ConsentDecision.GIVEN, by="tom")
    services.consent_withdraw(consent=withdrawn, actor=staff["tom"].user)

    services.safeguarding_access_take(
        case=case,
        category=Category.SOCIAL_CARE,
        lawful_basis=LawfulBasis.CHILD_AT_RISK,
        justification=OVERRIDE_JUSTIFICATION,
        actor=staff["nadia"].user,
    )
    selectors.record_get_for(user=staff["nadia"].user, record_id=records[("tom", Category.SOCIAL_CARE)].id)

    # Reads, as the day's work would make them: Tom opens the case's records (the health
    # note through Jade's consent) and Grace looks over the list.
    list(selectors.record_list_visible_to(user=staff["tom"].user, case=case))
    selectors.record_get_for(user=staff["tom"].user, record_id=records[("nadia", Category.HEALTH)].id)
    list(selectors.record_list_visible_to(user=staff["grace"].user, case=case))
