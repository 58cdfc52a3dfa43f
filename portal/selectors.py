"""Reads for the service-user portal: only the signed-in person's own plan,
in plain words. Goes through cases/ (the layer below) and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from audit.services import audit_record
from cases.models import Case, CaseStatus, Person, RoleAssignment
from plans.models import Goal, ItemStatus, Milestone


def person_for(user: Any) -> Person | None:
    """The person this portal account belongs to, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


@dataclass
class PlanCase:
    case: Case
    goals: list[Goal]
    workers: list[RoleAssignment]


def portal_plan(*, person: Person, user: Any = None, request: Any = None) -> list[PlanCase]:
    """The person's open cases: goals (plain summaries) with their milestones,
    and the named workers with their agencies. Three queries however large the plan.
    The read is audited as `portal.plan.viewed` (basis self when it is the person's own
    account reading it)."""
    audit_record(
        action="portal.plan.viewed",
        actor=user,
        request=request,
        person=person.pk,
        subject_type="person",
        subject_id=person.pk,
        basis="self" if user is not None and getattr(user, "pk", None) == person.user_id else "",
    )
    milestones = Milestone.objects.exclude(status=ItemStatus.CANCELLED).order_by("due_date", "created_at")
    workers = (
        RoleAssignment.objects.filter(ended_on__isnull=True)
        .select_related("professional__agency")
        .order_by("role", "professional__family_name")
    )
    cases = (
        Case.objects.filter(people=person, status=CaseStatus.OPEN)
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.prefetch_related(Prefetch("milestones", queryset=milestones))),
            Prefetch("assignments", queryset=workers, to_attr="active_assignments"),
        )
        .order_by("opened_at")
    )
    return [PlanCase(case=c, goals=list(c.goals.all()), workers=c.active_assignments) for c in cases]
