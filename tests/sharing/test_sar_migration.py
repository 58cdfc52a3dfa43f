"""Migration sharing 0004 (one open copy-of-my-records request per person) applies to a
database that already holds two open requests for one person: the oldest stays open, the
later ones are kept, marked merged into it, and nobody's request is lost."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases import services as case_services

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("sharing", "0003_subject_access_requests")]
AFTER = [("sharing", "0004_sar_one_open_per_person")]


def _executor():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _migrate(targets):
    _executor().migrate(targets)


def _latest():
    return [key for key in _executor().loader.graph.leaf_nodes() if key[0] == "sharing"]


def test_two_open_requests_of_one_person_migrate_to_one_open_and_none_lost(world):
    latest = _latest()
    _migrate(BEFORE)
    try:
        sar = _executor().loader.project_state(BEFORE).apps.get_model("sharing", "SubjectAccessRequest")
        today = timezone.localdate()
        ids = {}
        for n, name in enumerate(("first", "again", "third")):
            ids[name] = sar.objects.create(
                person_id=world.maya.pk,
                case_id=world.case.pk,
                requested_by_user_id=world.maya.user.pk,
                accountable_id=world.ivy.pk,
                due_date=today + datetime.timedelta(days=30 + n),
            ).pk
            # created_at is auto_now_add: make the order unambiguous
            sar.objects.filter(pk=ids[name]).update(created_at=timezone.now() - datetime.timedelta(days=10 - n))
        # an answered request of the same person, and another person's one open request, stay as they are
        ada = case_services.person_register(given_name="Ada", family_name="Okafor", actor=world.sam.user)
        for person, status in ((world.maya, "sent"), (ada, "received")):
            sar.objects.create(
                person_id=person.pk,
                case_id=world.case.pk,
                requested_by_user_id=world.maya.user.pk,
                accountable_id=world.ivy.pk,
                due_date=today,
                status=status,
                completed_at=timezone.now() if status == "sent" else None,
            )

        _migrate(AFTER)

        after = _executor().loader.project_state(AFTER).apps.get_model("sharing", "SubjectAccessRequest")
        mine = after.objects.filter(person_id=world.maya.pk)
        assert mine.count() == 4  # none deleted
        assert list(mine.filter(status="received").values_list("pk", flat=True)) == [ids["first"]]
        assert set(mine.filter(status="merged").values_list("pk", flat=True)) == {ids["again"], ids["third"]}
        assert mine.filter(status="sent").count() == 1
        assert list(after.objects.filter(person_id=ada.pk).values_list("status", flat=True)) == ["received"]
    finally:
        _migrate(latest)


@pytest.mark.django_db
def test_a_merged_request_is_answered_by_the_earlier_one_and_shown_nowhere_beside_it(world):
    from django.core.exceptions import ValidationError

    from sharing import selectors, services
    from sharing.models import SubjectAccessRequest, SubjectAccessStatus

    kept = services.sar_request(person=world.maya, actor=world.maya.user)
    merged = SubjectAccessRequest.objects.create(
        person=world.maya,
        case=world.case,
        requested_by_user=world.maya.user,
        accountable=kept.accountable,
        due_date=kept.due_date,
        status=SubjectAccessStatus.MERGED,
    )
    assert list(selectors.sar_list_for_person(person=world.maya)) == [kept]
    assert list(selectors.sar_queue_for(user=kept.accountable.user)) == [kept]
    assert list(selectors.sar_queue_for(user=world.admin)) == [kept]
    assert selectors.sar_open_count(person=world.maya) == 1
    with pytest.raises(ValidationError):
        services.sar_complete(sar=merged, actor=world.admin)
    merged.refresh_from_db()
    assert merged.status == SubjectAccessStatus.MERGED and merged.completed_at is None
