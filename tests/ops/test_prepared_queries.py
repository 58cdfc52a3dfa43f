"""Prepared reads (agencies.prepared, decision 0083): a queryset compiled once per connection and
run again with new values must answer exactly what the ORM answers for those values, on SQLite
and PostgreSQL alike, in one query each time."""

import datetime

import pytest
from django.db.models import DateField, UUIDField
from django.utils import timezone

from agencies.prepared import PreparedQuery
from cases.models import Case, RoleAssignment
from plans.models import Milestone


def _milestones(*, me, before):
    return (
        Milestone.objects.filter(accountable_id=me, due_date__lt=before)
        .order_by("due_date", "id")
        .values_list("id", "title", "due_date", "case_id", "case__reference")
    )


MILESTONES = PreparedQuery(_milestones, me=UUIDField(), before=DateField())


def _orm(me, before):
    return list(_milestones(me=me.pk, before=before))


@pytest.mark.django_db
def test_rows_equal_the_orm_for_every_value_bound(world, django_assert_num_queries):
    far = timezone.localdate() + datetime.timedelta(days=3650)
    for holder in (world.sam, world.nia, world.oz):
        for before in (far, timezone.localdate() - datetime.timedelta(days=3650)):
            with django_assert_num_queries(1):
                rows = MILESTONES.rows(me=holder.pk, before=before)
            assert rows == _orm(holder, before)
    # Different values give different answers: nothing was kept from the first call.
    assert MILESTONES.rows(me=world.nia.pk, before=far)
    assert MILESTONES.rows(me=world.oz.pk, before=far) == []


@pytest.mark.django_db
def test_rows_come_back_converted_as_the_orm_converts_them(world):
    far = timezone.localdate() + datetime.timedelta(days=3650)
    pk, title, due, case_id, reference = MILESTONES.rows(me=world.nia.pk, before=far)[0]
    assert isinstance(due, datetime.date)
    assert Milestone.objects.get(pk=pk).case_id == case_id  # a UUID on SQLite too, not its hex text
    assert reference == world.case.reference


@pytest.mark.django_db
def test_flat_values_and_counts(world):
    ids = PreparedQuery(
        lambda *, me: RoleAssignment.objects.filter(professional_id=me, ended_on__isnull=True).values_list(
            "case_id", flat=True
        ),
        me=UUIDField(),
    )
    assert ids.rows(me=world.sam.pk) == [world.case.pk]
    assert ids.rows(me=world.oz.pk) == []


@pytest.mark.django_db
def test_objects_are_model_instances_with_related_rows_and_annotations(world):
    from django.db.models import Count

    cases = PreparedQuery(
        lambda *, case: (
            Case.objects.filter(pk=case).select_related("lead_professional__agency").annotate(n_people=Count("people"))
        ),
        case=UUIDField(),
    )
    (case,) = cases.objects(case=world.case.pk)
    assert isinstance(case, Case) and case.pk == world.case.pk
    assert case.lead_professional.agency.name == world.sam.agency.name  # loaded with it
    assert case.n_people == world.case.people.count()
    case.title = "Renamed"
    case.save(update_fields=["title"])  # an instance like any other
    assert Case.objects.get(pk=world.case.pk).title == "Renamed"
    assert cases.objects(case=world.sam.pk) == []


def test_a_missing_value_is_refused():
    with pytest.raises(TypeError, match="before"):
        MILESTONES.rows(me=None)


def test_server_statements_number_the_parameters_and_keep_literal_percent_signs():
    from agencies.prepared import _numbered

    assert _numbered("a = %s AND b LIKE 'x%%' AND c IN (%s, %s)") == "a = $1 AND b LIKE 'x%' AND c IN ($2, $3)"
