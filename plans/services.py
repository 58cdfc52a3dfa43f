"""Every write of plans/: goals, milestones, reviews, handovers. Keyword-only,
atomic, audited in the same transaction.

Rights are decided here, once, and asked by every caller (page and API):
`plan_may_edit`, `item_may_complete`, `item_may_hand_over`. Each service looks the
case up through the gate (cases.selectors.get_case_for: 404 when the actor may
not see it) and refuses with PermissionDenied (403) what the actor may not do.

Floor 5. May use: cases, accountability, agencies, audit. Never sharing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accountability.models import ReminderKind
from accountability.services import notice_queue
from agencies.models import Professional
from audit.services import audit_record
from cases.models import Case, CaseStatus
from cases.selectors import CaseAccess, get_case_for
from cases.services import require_case_open as _require_open
from cases.services import require_on_case_team as _require_on_team
from plans.models import Goal, Handover, ItemStatus, Milestone, Review, ReviewKind

_ONLY_ACCOUNTABLE = "Only the accountable professional or a case manager can do this."


def _access(actor: Any, case_id: Any) -> CaseAccess:
    return get_case_for(user=actor, case_id=case_id)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _not_in_past(value: date, field: str, label: str) -> None:
    if value < timezone.localdate():
        raise ValidationError({field: f"{label} cannot be in the past."})


# --- Rights ---------------------------------------------------------------------


def plan_may_edit(*, access: CaseAccess) -> bool:
    """Add or edit goals, milestones and reviews, cancel or reopen them: whoever
    manages the case (the lead professional and the case's team leads)."""
    return access.can_manage


def item_may_complete(*, access: CaseAccess, item: Milestone | Review) -> bool:
    """Complete a milestone or review: its accountable professional or a case manager.
    Whether it (and its case) is still open is the service's 400, not a right."""
    return access.can_manage or item.accountable_id == access.professional.id


def item_may_hand_over(*, access: CaseAccess, item: Milestone | Review) -> bool:
    """Hand a milestone or review to someone else on the team: as for completing it."""
    return item_may_complete(access=access, item=item)


def item_actions(*, access: CaseAccess, item: Milestone | Review) -> tuple[bool, bool]:
    """(may complete, may hand over) now: the rights above, on an open item of an open case."""
    live = access.case.status == CaseStatus.OPEN and item.status == ItemStatus.OPEN
    return (
        live and item_may_complete(access=access, item=item),
        live and item_may_hand_over(access=access, item=item),
    )


# --- Goals, milestones, reviews -------------------------------------------------


@transaction.atomic
def goal_add(*, case: Case, description: str, measure: str, target_date: date, plain_summary: str, actor: Any) -> Goal:
    """A SMART goal: what will be different, how it is measured, and by when."""
    access = _access(actor, case.id)
    _require(plan_may_edit(access=access), "Only a case manager can change the plan.")
    by = access.professional
    _require_open(access.case)
    errors: dict[str, str] = {}
    if not (description or "").strip():
        errors["description"] = "Say what will be different."
    if not (measure or "").strip():
        errors["measure"] = "Say how you will measure it."
    if not (plain_summary or "").strip():
        errors["plain_summary"] = "Write the goal in plain words for the person."
    if target_date is None:
        errors["target_date"] = "Give a target date."
    elif target_date < timezone.localdate():
        errors["target_date"] = "The target date cannot be in the past."
    if errors:
        raise ValidationError(errors)
    goal = Goal.objects.create(
        case=case,
        description=description.strip(),
        measure=measure.strip(),
        target_date=target_date,
        plain_summary=plain_summary.strip(),
        created_by=by,
    )
    audit_record(action="cases.goal.added", actor=actor, case=case.id, subject_type="goal", subject_id=goal.id)
    return goal


@transaction.atomic
def milestone_add(
    *,
    case: Case,
    goal: Goal,
    title: str,
    due_date: date,
    accountable: Professional,
    actor: Any,
    plain_summary: str = "",
) -> Milestone:
    access = _access(actor, case.id)
    _require(plan_may_edit(access=access), "Only a case manager can change the plan.")
    by = access.professional
    _require_open(access.case)
    if goal is None or goal.case_id != case.id:
        raise ValidationError({"goal": "Choose a goal of this case."})
    if not (title or "").strip():
        raise ValidationError({"title": "Give the milestone a title."})
    if due_date is None:
        raise ValidationError({"due_date": "Give a due date."})
    _not_in_past(due_date, "due_date", "The due date")
    if accountable is None:
        raise ValidationError({"accountable": "Every milestone needs one accountable professional."})
    _require_on_team(case, accountable)
    milestone = Milestone.objects.create(
        case=case,
        goal=goal,
        title=title.strip(),
        due_date=due_date,
        accountable=accountable,
        plain_summary=(plain_summary or "").strip(),
        created_by=by,
    )
    audit_record(
        action="cases.milestone.added",
        actor=actor,
        case=case.id,
        subject_type="milestone",
        subject_id=milestone.id,
        detail={"accountable": str(accountable.id)},
    )
    return milestone


def _hand_over(item: Milestone | Review, *, subject_type: str, to: Professional, actor: Any) -> Handover:
    access = _access(actor, item.case_id)
    _require(item_may_hand_over(access=access, item=item), _ONLY_ACCOUNTABLE)
    by = access.professional
    _require_open(access.case)
    if item.status != ItemStatus.OPEN:
        raise ValidationError({"accountable": "Only open items can be handed over."})
    if to.pk == item.accountable_id:
        raise ValidationError({"accountable": f"{to.full_name} is already accountable for this."})
    _require_on_team(access.case, to)
    previous = item.accountable
    item.accountable = to
    item.save(update_fields=["accountable"])
    handover = Handover.objects.create(
        case=access.case,
        subject_type=subject_type,
        subject_id=item.id,
        from_professional=previous,
        to_professional=to,
        handed_over_by=by,
    )
    audit_record(
        action=f"cases.{subject_type}.handed_over",
        actor=actor,
        case=item.case_id,
        subject_type=subject_type,
        subject_id=item.id,
        detail={"from": str(previous.id), "to": str(to.id)},
    )
    # The new holder is told at once, through the outbox: a row in this transaction, never the broker.
    notice_queue(
        kind=ReminderKind.HANDOVER,
        subject_type=subject_type,
        subject_id=item.id,
        recipient=to.id,
        due_date=item.due_date if isinstance(item, Milestone) else item.scheduled_for,
        case=access.case.id,
        case_reference=access.case.reference,
    )
    return handover


@transaction.atomic
def milestone_handover(*, milestone: Milestone, to: Professional, actor: Any) -> Handover:
    """Make someone else on the case team accountable; records who handed what to whom, when."""
    return _hand_over(milestone, subject_type="milestone", to=to, actor=actor)


@transaction.atomic
def milestone_complete(*, milestone: Milestone, actor: Any) -> Milestone:
    """The one way a milestone is completed (page, API POST .../complete/ and PATCH status)."""
    access = _access(actor, milestone.case_id)
    _require(item_may_complete(access=access, item=milestone), _ONLY_ACCOUNTABLE)
    by = access.professional
    _require_open(access.case)
    if milestone.status != ItemStatus.OPEN:
        raise ValidationError({"status": "This milestone is not open."})
    milestone.status = ItemStatus.COMPLETED
    milestone.completed_at = timezone.now()
    milestone.completed_by = by
    milestone.save(update_fields=["status", "completed_at", "completed_by"])
    audit_record(
        action="cases.milestone.completed",
        actor=actor,
        case=milestone.case_id,
        subject_type="milestone",
        subject_id=milestone.id,
    )
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    actor: Any,
    title: str | None = None,
    plain_summary: str | None = None,
    due_date: date | None = None,
    status: str | None = None,
) -> Milestone:
    """Edit the title, plain summary or due date, or cancel / reopen (`status`
    cancelled or open). Each field is named: the accountable professional changes
    only by milestone_handover, and completion only by milestone_complete."""
    access = _access(actor, milestone.case_id)
    _require(plan_may_edit(access=access), "Only a case manager can change this milestone.")
    _require_open(access.case)
    changed: list[str] = []
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": "Give the milestone a title."})
        milestone.title = title.strip()
        changed.append("title")
    if plain_summary is not None:
        milestone.plain_summary = plain_summary.strip()
        changed.append("plain_summary")
    if due_date is not None and due_date != milestone.due_date:
        _not_in_past(due_date, "due_date", "The due date")
        milestone.due_date = due_date
        changed.append("due_date")
    if status is not None and status != milestone.status:
        if status not in (ItemStatus.OPEN, ItemStatus.CANCELLED):
            raise ValidationError({"status": "Choose open (to reopen) or cancelled; complete it with 'complete'."})
        milestone.status = status
        milestone.completed_at = None
        milestone.completed_by = None
        changed += ["status", "completed_at", "completed_by"]
    if changed:
        milestone.save(update_fields=changed)
    audit_record(
        action="cases.milestone.updated",
        actor=actor,
        case=milestone.case_id,
        subject_type="milestone",
        subject_id=milestone.id,
        detail={"fields": sorted({"status" if f.startswith("completed_") else f for f in changed})},
    )
    return milestone


@transaction.atomic
def review_add(
    *, case: Case, scheduled_for: date, accountable: Professional, actor: Any, kind: str = ReviewKind.CASE_REVIEW
) -> Review:
    access = _access(actor, case.id)
    _require(plan_may_edit(access=access), "Only a case manager can change the plan.")
    by = access.professional
    _require_open(access.case)
    if scheduled_for is None:
        raise ValidationError({"scheduled_for": "Give a date for the review."})
    _not_in_past(scheduled_for, "scheduled_for", "The review date")
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": "Choose a valid kind of review."})
    if accountable is None:
        raise ValidationError({"accountable": "Every review needs one accountable professional."})
    _require_on_team(case, accountable)
    review = Review.objects.create(
        case=case, scheduled_for=scheduled_for, accountable=accountable, kind=kind, created_by=by
    )
    audit_record(
        action="cases.review.added",
        actor=actor,
        case=case.id,
        subject_type="review",
        subject_id=review.id,
        detail={"accountable": str(accountable.id)},
    )
    return review


@transaction.atomic
def review_handover(*, review: Review, to: Professional, actor: Any) -> Handover:
    return _hand_over(review, subject_type="review", to=to, actor=actor)


@transaction.atomic
def review_complete(*, review: Review, actor: Any) -> Review:
    access = _access(actor, review.case_id)
    _require(item_may_complete(access=access, item=review), _ONLY_ACCOUNTABLE)
    _require_open(access.case)
    if review.status != ItemStatus.OPEN:
        raise ValidationError({"status": "This review is not open."})
    review.status = ItemStatus.COMPLETED
    review.completed_at = timezone.now()
    review.save(update_fields=["status", "completed_at"])
    audit_record(
        action="cases.review.completed", actor=actor, case=review.case_id, subject_type="review", subject_id=review.id
    )
    return review
