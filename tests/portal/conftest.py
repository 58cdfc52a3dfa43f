import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from cases import services as case_services
from plans import services as plan_services
from sharing import services as sharing_services


@pytest.fixture
def family(world):
    """Maya's mother Ada (a portal account, parental responsibility) and another family
    on a case of its own: Zed (a portal account too), whose ids Maya must never reach."""
    sam = world.sam.user
    ada = case_services.person_register(
        given_name="Ada", family_name="Okafor", date_of_birth=datetime.date(1990, 1, 5), actor=sam
    )
    world.case.people.add(ada)
    case_services.person_portal_account_create(person=ada, username="ada", password=world.password, actor=sam)
    rel = case_services.relationship_add(
        person=ada, to=world.maya, kind="parent", parental_responsibility=True, actor=sam
    )
    zed = case_services.person_register(given_name="Zed", family_name="Other", actor=world.oz.user)
    other = case_services.case_open(title="Other family", people=[zed], lead=world.oz, actor=world.oz.user)
    goal = plan_services.goal_add(
        case=other,
        description="Zed is well",
        measure="Measured",
        target_date=world.goal.target_date,
        plain_summary="Zed is well",
        actor=world.oz.user,
    )
    plan_services.milestone_add(
        case=other,
        goal=goal,
        title="Secret step",
        due_date=world.milestone.due_date,
        accountable=world.oz,
        plain_summary="A step for Zed",
        actor=world.oz.user,
    )
    case_services.person_portal_account_create(person=zed, username="zed", password=world.password, actor=world.oz.user)
    zed_consent = sharing_services.consent_record(
        person=zed,
        category="health",
        agency=world.health,
        purpose="p",
        valid_from=datetime.date.today(),
        given_by="Zed",
        actor=zed.user,
    )
    return SimpleNamespace(ada=ada, rel=rel, zed=zed, other=other, zed_consent=zed_consent)


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def as_user():
    def make(username, api=False):
        client = APIClient() if api else Client()
        client.force_login(user(username)) if not api else client.force_authenticate(user(username))
        return client

    return make


@pytest.fixture(autouse=True)
def _seeded_glossary(db):
    """The glossary the data migration seeds (cases 0003): a browser test's flush before a portal
    test empties seeded tables, so each portal test starts with the seeded terms."""
    import importlib

    from cases.models import GlossaryTerm

    if not GlossaryTerm.objects.exists():
        seed = importlib.import_module("cases.migrations.0003_glossary_seed")
        GlossaryTerm.objects.bulk_create([GlossaryTerm(term=t, plain=p) for t, p in seed.TERMS])
