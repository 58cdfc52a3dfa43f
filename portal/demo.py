"""The portal's part of the demo (called from workspace's seed_demo): families as
families (households, who is whose parent, with parental responsibility), plain titles,
Jade as proxy for her son Leo, a message and a reply, a rating, and one step the person
cannot see yet (no plain summary) so the case page shows the lead what to write.

Floor 6.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from agencies.models import Professional
from cases import services as case_services
from cases.models import Case, Person
from plans import services as plan_services
from portal import selectors, services


def seed_portal_demo(staff: dict[str, Professional]) -> None:
    tom, priya = staff["tom"], staff["priya"]
    jade = Person.objects.get(given_name="Jade", family_name="Carter")
    leo = Person.objects.get(given_name="Leo", family_name="Carter")
    carter = Case.objects.get(people=jade)
    case_services.household_create(
        name="Carter household", address="12 Mill Lane, Riverside", members=[jade, leo], actor=tom.user
    )
    case_services.relationship_add(person=jade, to=leo, kind="parent", parental_responsibility=True, actor=tom.user)
    case_services.case_plain_title_set(case=carter, plain_title="Help for you and Leo", actor=tom.user)
    case_services.proxy_link(
        person=leo,
        username="jade",
        scope="plan_and_consents",
        valid_until=timezone.localdate() + datetime.timedelta(days=365),
        actor=tom.user,
    )
    goal = carter.goals.order_by("target_date").first()
    if goal is not None:
        plan_services.milestone_add(
            case=carter,
            goal=goal,
            title="Section 47 strategy discussion follow-up with police",
            due_date=timezone.localdate() + datetime.timedelta(days=5),
            accountable=tom,
            actor=tom.user,
        )
    me = selectors.portal_subject_for(user=jade.user)
    services.message_send(
        subject=me, case=carter, text="Can Tom come after 3pm? Leo is at school before then.", actor=jade.user
    )
    services.message_reply(case=carter, person_id=jade.pk, text="Yes. I will come at 3.30 on Thursday.", actor=tom.user)
    services.feedback_give(subject=me, case=carter, rating=3, comment="Things are a bit better.", actor=jade.user)

    rana = Person.objects.get(given_name="Rana", family_name="Haddad")
    children = list(Person.objects.filter(family_name="Haddad").exclude(pk=rana.pk))
    case_services.household_create(
        name="Haddad household",
        address="Flat 3, 40 Station Road, Riverside",
        members=[rana, *children],
        language="ar",
        interpreter_needed=True,
        actor=priya.user,
    )
    for child in children:
        case_services.relationship_add(
            person=rana, to=child, kind="parent", parental_responsibility=True, actor=priya.user
        )
