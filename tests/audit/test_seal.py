"""Tampering shows: `audit_seal` chains the events into keyed digests and `audit_verify`
exits 0 on an intact trail and non-zero, naming the first broken seal, after an UPDATE,
DELETE, TRUNCATE, a bypassed trigger or a back-dated insert. On PostgreSQL the tampering
below bypasses the append-only trigger first, as the database owner could."""

import datetime
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent, AuditSeal
from audit.seal import seal, verify
from audit.services import audit_record

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(seconds=settings.AUDIT_SEAL_DELAY_SECONDS + 5)


@contextmanager
def trigger_bypassed():
    """What someone with the owner's rights can do: switch the append-only trigger off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


def sealed_trail(n=5):
    """Two seals over n + 2 events, everything sealed."""
    events = [audit_record(action="cases.record.viewed", detail={"i": i}) for i in range(n)]
    # As if beat ran just after the last of them, once the delay had passed.
    just_after = events[-1].at + datetime.timedelta(seconds=settings.AUDIT_SEAL_DELAY_SECONDS, microseconds=1)
    first = seal(now=just_after)
    events += [audit_record(action="cases.person.viewed") for _ in range(2)]
    second = seal(now=timezone.now() + LATER)
    assert first is not None and second is not None
    return events, first, second


def test_an_intact_trail_verifies_and_the_command_exits_zero(capsys):
    _events, first, second = sealed_trail()
    assert (first.events, second.events, second.previous_digest) == (5, 2, first.digest)
    assert verify().ok
    call_command("audit_verify")
    assert "intact: 2 seals, 7 events" in capsys.readouterr().out


def test_sealing_again_with_nothing_new_makes_no_seal():
    sealed_trail()
    assert seal(now=timezone.now() + LATER) is None
    assert AuditSeal.objects.count() == 2


def test_events_younger_than_the_delay_wait_for_the_next_seal():
    audit_record(action="cases.record.viewed")
    made = seal()  # now: the event is younger than AUDIT_SEAL_DELAY_SECONDS
    assert made is not None and made.events == 0
    assert seal(now=timezone.now() + LATER).events == 1


def broken_at(seal_id):
    result = verify()
    assert not result.ok
    assert result.first_broken_seal == seal_id
    with pytest.raises(CommandError, match=f"seal {seal_id}"):
        call_command("audit_verify")


def test_an_update_breaks_the_seal_of_its_window():
    events, first, _second = sealed_trail()
    with trigger_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditevent SET basis = 'consent' WHERE id = %s", [events[2].pk])
    broken_at(first.pk)


def test_a_delete_breaks_the_seal_of_its_window():
    events, _first, second = sealed_trail()
    with trigger_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    broken_at(second.pk)


def test_a_truncate_breaks_the_first_seal():
    _events, first, _second = sealed_trail()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE audit_auditevent")
        else:
            cursor.execute("DELETE FROM audit_auditevent")
    broken_at(first.pk)


def test_a_back_dated_insert_breaks_the_seal_of_the_window_it_pretends_to_be_in():
    events, first, _second = sealed_trail()
    back = events[1].at + datetime.timedelta(microseconds=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, action, actor_name, subject_type, basis, detail) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [back, "cases.record.viewed", "forged", "", "", "{}"],
        )
    assert AuditEvent.objects.filter(actor_name="forged").exists()
    broken_at(first.pk)


def test_a_seal_forged_without_the_key_does_not_verify(settings):
    sealed_trail()
    settings.AUDIT_SEAL_KEY = "a key the forger guessed"
    broken_at(AuditSeal.objects.order_by("id").first().pk)


def test_the_ig_pages_show_the_last_verification(world):
    sealed_trail()
    call_command("audit_verify")
    page = Client()
    page.force_login(world.ivy.user)
    for url in ("/audit/", "/governance/reviews/"):
        html = page.get(url).content.decode()
        assert "Last verified" in html and "intact" in html, url
    with trigger_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE action = 'cases.person.viewed'")
    with pytest.raises(CommandError):
        call_command("audit_verify")
    html = page.get("/audit/").content.decode()
    assert "BROKEN" in html


def test_beat_seals_every_minute_and_verifies_daily():
    from celery import current_app

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["audit-seal"]["schedule"] == datetime.timedelta(minutes=1)
    assert schedule["audit-verify"]["task"] == "audit.tasks.audit_verify"
    current_app.loader.import_default_modules()
    assert {"audit.tasks.audit_seal", "audit.tasks.audit_verify"} <= set(current_app.tasks)


def test_postgresql_digests_the_same_bytes_as_the_orm_so_earlier_seals_still_verify():
    """PostgreSQL writes each event's canonical text itself (the fast path seal and verify
    share); its bytes are those the ORM path makes, for every kind of value, so a chain
    sealed by either verifies under the other."""
    from audit import seal as sealing

    if connection.vendor != "postgresql":
        pytest.skip("the fast path is PostgreSQL's")
    base = timezone.now() - datetime.timedelta(days=1)
    rows = [
        (base.replace(microsecond=0), "10.0.0.1", "Zoë Ndiaye-Łukasz", 7, '{"b": [1, 2.5, null], "a": "é\\n\\u001f"}'),
        (base.replace(microsecond=1), "2001:db8::1", "", None, "{}"),
        (base.replace(microsecond=250000) + datetime.timedelta(seconds=4), "10.1.2.3", "a b", 1, '{"n": 1}'),
        (base.replace(microsecond=999999) + datetime.timedelta(seconds=5), "10.1.2.4", "c", 2, '{"n": 2}'),
        (base + datetime.timedelta(seconds=1), None, "tab\there", 12, '["x", {"z": 1, "y": true}]'),
        (base + datetime.timedelta(seconds=2), "192.168.0.10", "O'Brien", 3, "null"),
        (base + datetime.timedelta(seconds=3), "::1", "x", 4, '"just a string"'),
    ]
    with connection.cursor() as cursor:
        for at, ip, name, user_id, detail in rows:
            cursor.execute(
                "INSERT INTO audit_auditevent (at, action, actor_user_id, actor, actor_name, actor_agency, person, "
                '"case", subject_type, subject_id, basis, ip, detail) '
                "VALUES (%s, 'cases.record.viewed', %s, gen_random_uuid(), %s, gen_random_uuid(), NULL, "
                "gen_random_uuid(), 'record', NULL, 'consent', %s, %s::jsonb)",
                [at, user_id, name, ip, detail],
            )
    until = timezone.now()
    fast = list(sealing._chunks_postgresql(None, until))
    orm = list(sealing._chunks_generic(None, until))
    assert b"".join(c for c, _ in fast) == b"".join(c for c, _ in orm)
    assert sum(n for _, n in fast) == len(rows)
    assert sealing._digest("", None, until, fast) == sealing._digest("", None, until, orm)
