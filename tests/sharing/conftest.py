"""Fixtures for the sharing tests: records of each category on the world's case,
and helpers that give consent and take overrides through the services."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from sharing import services as sharing_services

TEXT = "Visited the family at home; all well today."
JUSTIFICATION = "Maya disclosed harm at school today; I need to see health history."


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def write(world, author, category, about=None, text=TEXT, case=None):
    return sharing_services.record_write(
        case=case or world.case, category=category, text=text, about=about, actor=author.user
    )


def consent(world, person, category, agency, *, valid_from=None, valid_until=None, decision="given", actor=None):
    """Recorded by a professional on the case who does not work for the receiving agency
    (nobody grants their own agency access): nia for social care's sight, else sam."""
    if actor is None:
        actor = world.nia if agency.pk == world.social.pk else world.sam
    return sharing_services.consent_record(
        person=person,
        category=category,
        agency=agency,
        purpose="Joint support plan",
        valid_from=valid_from or days(-1),
        valid_until=valid_until,
        given_by="Parent with parental responsibility",
        decision=decision,
        actor=actor.user,
    )


def override(world, professional, category, case=None):
    return sharing_services.safeguarding_access_take(
        case=case or world.case,
        category=category,
        lawful_basis="child_at_risk",
        justification=JUSTIFICATION,
        actor=professional.user,
    )


@pytest.fixture
def sw(world):
    """world + records: nia's health note, sam's social-care note, sam's general note."""
    return SimpleNamespace(
        w=world,
        health=write(world, world.nia, "health"),
        social=write(world, world.sam, "social_care"),
        general=write(world, world.sam, "general"),
    )
