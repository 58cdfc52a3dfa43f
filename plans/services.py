"""Every write of plans/: goals, milestones, reviews, handovers. Keyword-only,
atomic, audited in the same transaction.

Rights are decided here, once, and asked by every caller (page and API):
`plan_may_edit`, `item_may_complete`, `item_may_hand_over`. Each service looks the
case up through the gate (cases.selectors.get_case_for: 404 when the actor may
not see it) and refuses with PermissionDenied (403) what the actor may not do.

Floor 5. May use: cases, accountability, agencies, audit. Never sharing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accountability.models import ReminderKind
from accountability.services import notice_queue, notices_for_new_holder
from agencies.models import Professional
from agencies.validation import NOTE_MAX, PLAIN_SUMMARY_MAX, PLAN_TEXT_MAX, too_long
from audit.services import audit_record
from cases.models import Case, CaseStatus
from cases.selectors import CaseAccess, get_case_for
from cases.services import require_case_open as _require_open
from cases.services import require_on_case_team as _require_on_team
from plans.models import Goal, GoalStatus, Handover, ItemStatus, Milestone, Review, ReviewKind

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
    """Complete a milestone or review: its accountable professional, the case's lead
    professional or one of the case's team leads (who manage the case: `can_manage`),
    whatever agency the item belongs to (docs/decisions/0046). Others 403. Whether it
    (and its case) is still open is the service's 400, not a right."""
    return access.can_manage or item.accountable_id == access.professional.id


def item_may_hand_over(*, access: CaseAccess, item: Milestone | Review) -> bool:
    """Hand a milestone or review to someone else on the team: as for completing it."""
    return item_may_complete(access=access, item=item)


def item_may_redate(*, access: CaseAccess, item: Milestone | Review) -> bool:
    """Change the due date, with a reason: as for completing it (the accountable person may
    ask for more time; the reason is kept in the item's history and the lead sees it)."""
    return item_may_complete(access=access, item=item)


def item_may_cancel(*, access: CaseAccess) -> bool:
    """Cancel or reopen a milestone or review, edit its title: whoever may change the plan."""
    return plan_may_edit(access=access)


def item_may_reopen(*, access: CaseAccess) -> bool:
    """Reopen a cancelled or completed milestone or review, however long ago it was completed:
    whoever may change the plan (decision 0085). Whether the item is open already, and whether
    the case is still open, is the service's 400, not a right."""
    return item_may_cancel(access=access)


UNDO_HOURS = 24


def item_completion_may_undo(*, access: CaseAccess, item: Milestone | Review, now: datetime | None = None) -> bool:
    """Undo "Mark complete" within UNDO_HOURS of it: whoever may complete the item."""
    now = now or timezone.now()
    return (
        item.status == ItemStatus.COMPLETED
        and item.completed_at is not None
        and now - item.completed_at < timedelta(hours=UNDO_HOURS)
        and item_may_complete(access=access, item=item)
    )


@dataclass(frozen=True)
class ItemActions:
    """What the viewer may do with an item now (the buttons a page offers)."""

    complete: bool = False
    hand_over: bool = False
    redate: bool = False
    cancel: bool = False
    reopen: bool = False
    undo: bool = False


def item_actions(*, access: CaseAccess, item: Milestone | Review) -> ItemActions:
    """The rights above, on an item of an open case, as the buttons a page offers: an open item
    is completed, handed over, moved or cancelled; a cancelled one reopened by a case manager; a
    completed one undone within UNDO_HOURS of its completion (by whoever may complete it) and,
    once that window has passed, reopened by a case manager (decision 0085). One button for
    opening a completed item again, as PATCH `status: open` on the API undoes within the window
    and reopens after it. The pages check only the bare rights; the state is the service's."""
    if access.case.status != CaseStatus.OPEN:
        return ItemActions()
    if item.status == ItemStatus.OPEN:
        return ItemActions(
            complete=item_may_complete(access=access, item=item),
            hand_over=item_may_hand_over(access=access, item=item),
            redate=item_may_redate(access=access, item=item),
            cancel=item_may_cancel(access=access),
        )
    if item.status == ItemStatus.CANCELLED:
        return ItemActions(reopen=item_may_reopen(access=access))
    undo = item_completion_may_undo(access=access, item=item)
    return ItemActions(undo=undo, reopen=not undo and item_may_reopen(access=access))


# --- History and notices ---------------------------------------------------------


def _due(item: Milestone | Review) -> date:
    return item.due_date if isinstance(item, Milestone) else item.scheduled_for


def _subject_type(item: Milestone | Review | Goal) -> str:
    return "milestone" if isinstance(item, Milestone) else "review" if isinstance(item, Review) else "goal"


def _locked(item: Any) -> None:
    """Lock the item's row for the rest of the transaction and read its state again, so two
    changes at once neither lose a history entry nor both pass a status check."""
    list(type(item).objects.select_for_update().filter(pk=item.pk).values_list("pk"))
    item.refresh_from_db()


def _history(item: Any, *, by: Professional, change: str, **values: Any) -> None:
    """Append one entry to the item's history (the caller saves `history`)."""
    entry: dict[str, Any] = {"at": timezone.now().isoformat(), "by": str(by.id), "by_name": by.full_name}
    entry["change"] = change
    entry.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v not in (None, "")})
    item.history = [*(item.history or []), entry]


def _tell_holder(item: Milestone | Review, *, kind: str, by: Professional, case: Case) -> None:
    """The accountable person is told at once (through the outbox) when someone else changes,
    cancels or completes their item; nobody is told of their own change."""
    if item.accountable_id == by.id:
        return
    notice_queue(
        kind=kind,
        subject_type=_subject_type(item),
        subject_id=item.id,
        recipient=item.accountable_id,
        due_date=_due(item),
        case=case.id,
        case_reference=case.reference,
    )


TITLE_MAX = Milestone._meta.get_field("title").max_length or 200  # its column's length


def _audit(item: Any, action: str, *, actor: Any, detail: dict[str, Any] | None = None) -> None:
    subject_type = _subject_type(item)
    audit_record(
        action=f"cases.{subject_type}.{action}",
        actor=actor,
        case=item.case_id,
        subject_type=subject_type,
        subject_id=item.id,
        detail=detail,
    )


# --- Goals, milestones, reviews -------------------------------------------------


@transaction.atomic
def goal_add(*, case: Case, description: str, measure: str, target_date: date, plain_summary: str, actor: Any) -> Goal:
    """A SMART goal: what will be different, how it is measured, and by when."""
    access = _access(actor, case.id)
    _require(plan_may_edit(access=access), "Only a case manager can change the plan.")
    by = access.professional
    _require_open(access.case)
    errors = _smart_errors(
        description=description, measure=measure, target_date=target_date, plain_summary=plain_summary
    )
    if "target_date" not in errors and target_date < timezone.localdate():
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


def _smart_errors(*, description: str, measure: str, target_date: date | None, plain_summary: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (description or "").strip():
        errors["description"] = "Say what will be different."
    if not (measure or "").strip():
        errors["measure"] = "Say how you will measure it."
    if not (plain_summary or "").strip():
        errors["plain_summary"] = "Write the goal in plain words for the person."
    if target_date is None:
        errors["target_date"] = "Give a target date."
    for name, value, limit in (
        ("description", description, PLAN_TEXT_MAX),
        ("measure", measure, PLAN_TEXT_MAX),
        ("plain_summary", plain_summary, PLAIN_SUMMARY_MAX),
    ):
        if name not in errors and (overlong := too_long(value, limit)):
            errors[name] = overlong
    return errors


@transaction.atomic
def goal_update(
    *, goal: Goal, actor: Any, description: str, measure: str, target_date: date, plain_summary: str
) -> Goal:
    """Edit a goal: still SMART (every field required). A new target date cannot be in the past."""
    access = _access(actor, goal.case_id)
    _require(plan_may_edit(access=access), "Only a case manager can change the plan.")
    _require_open(access.case)
    _locked(goal)
    errors = _smart_errors(
        description=description, measure=measure, target_date=target_date, plain_summary=plain_summary
    )
    if "target_date" not in errors and target_date != goal.target_date and target_date < timezone.localdate():
        errors["target_date"] = "The target date cannot be in the past."
    if errors:
        raise ValidationError(errors)
    new = {
        "description": description.strip(),
        "measure": measure.strip(),
        "target_date": target_date,
        "plain_summary": plain_summary.strip(),
    }
    changed = sorted(name for name, value in new.items() if getattr(goal, name) != value)
    if not changed:
        return goal
    old_target = goal.target_date
    for name, value in new.items():
        setattr(goal, name, value)
    _history(
        goal,
        by=access.professional,
        change="edited",
        fields=changed,
        **({"from": old_target, "to": target_date} if "target_date" in changed else {}),
    )
    goal.save(update_fields=[*changed, "history"])
    _audit(goal, "updated", actor=actor, detail={"fields": changed})
    return goal


GOAL_OUTCOMES = (GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED)


@transaction.atomic
def goal_outcome_record(*, goal: Goal, actor: Any, outcome: str, note: str) -> Goal:
    """Mark a goal achieved or not achieved, with a note saying why; `active` takes the mark back."""
    access = _access(actor, goal.case_id)
    _require(plan_may_edit(access=access), "Only a case manager can change the plan.")
    _require_open(access.case)
    _locked(goal)
    errors: dict[str, str] = {}
    if outcome not in (*GOAL_OUTCOMES, GoalStatus.ACTIVE):
        errors["outcome"] = "Choose achieved or not achieved."
    elif outcome == goal.status:
        errors["outcome"] = f"The goal is already marked {goal.get_status_display().lower()}."
    if outcome in GOAL_OUTCOMES and not (note or "").strip():
        errors["note"] = "Say what shows it (or why not)."
    elif overlong := too_long(note, NOTE_MAX):
        errors["note"] = overlong
    if errors:
        raise ValidationError(errors)
    previous = goal.status
    goal.status = outcome
    goal.outcome_note = (note or "").strip() if outcome != GoalStatus.ACTIVE else ""
    goal.outcome_at = timezone.now() if outcome != GoalStatus.ACTIVE else None
    goal.outcome_by = access.professional if outcome != GoalStatus.ACTIVE else None
    _history(goal, by=access.professional, change=outcome, **{"from": previous, "reason": (note or "").strip()})
    goal.save(update_fields=["status", "outcome_note", "outcome_at", "outcome_by", "history"])
    _audit(goal, "outcome_recorded", actor=actor, detail={"outcome": outcome})
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
    for name, value, limit in (("title", title, TITLE_MAX), ("plain_summary", plain_summary, PLAIN_SUMMARY_MAX)):
        if overlong := too_long(value, limit):
            raise ValidationError({name: overlong})
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
    _require_open(access.case)  # first, as in _redate
    _require(item_may_hand_over(access=access, item=item), _ONLY_ACCOUNTABLE)
    by = access.professional
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
    # The new holder is told at once, through the outbox: rows in this transaction, never the broker;
    # and reminded of the window they took it over in (a 7-day reminder they missed) at the next delivery.
    notices_for_new_holder(
        subject_type=subject_type,
        subject_id=item.id,
        recipient=to.id,
        due_date=_due(item),
        case=access.case.id,
        case_reference=access.case.reference,
    )
    return handover


@transaction.atomic
def milestone_handover(*, milestone: Milestone, to: Professional, actor: Any) -> Handover:
    """Make someone else on the case team accountable; records who handed what to whom, when."""
    return _hand_over(milestone, subject_type="milestone", to=to, actor=actor)


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


# --- Completing, re-dating, cancelling, reopening (milestones and reviews alike) ------------


def _complete(item: Milestone | Review, *, actor: Any) -> Milestone | Review:
    access = _access(actor, item.case_id)
    _require_open(access.case)  # first, as in _redate
    _require(item_may_complete(access=access, item=item), _ONLY_ACCOUNTABLE)
    by = access.professional
    _locked(item)
    if item.status != ItemStatus.OPEN:
        raise ValidationError({"status": f"This {_subject_type(item)} is not open."})
    item.status = ItemStatus.COMPLETED
    item.completed_at = timezone.now()
    item.completed_by = by
    _history(item, by=by, change="completed")
    item.save(update_fields=["status", "completed_at", "completed_by", "history"])
    _audit(item, "completed", actor=actor)
    _tell_holder(item, kind=ReminderKind.ITEM_COMPLETED, by=by, case=access.case)
    return item


@transaction.atomic
def milestone_complete(*, milestone: Milestone, actor: Any) -> Milestone:
    """The one way a milestone is completed (page, API POST .../complete/ and PATCH status).
    Undone within UNDO_HOURS by milestone_complete_undo."""
    return _complete(milestone, actor=actor)  # type: ignore[return-value]


@transaction.atomic
def review_complete(*, review: Review, actor: Any) -> Review:
    return _complete(review, actor=actor)  # type: ignore[return-value]


def _complete_undo(item: Milestone | Review, *, actor: Any) -> Milestone | Review:
    access = _access(actor, item.case_id)
    _require_open(access.case)  # first, as in _redate
    _require(item_may_complete(access=access, item=item), _ONLY_ACCOUNTABLE)
    _locked(item)
    if not item_completion_may_undo(access=access, item=item):
        late = f"Only a completion of the last {UNDO_HOURS} hours can be undone. Ask a case manager to reopen it."
        raise ValidationError({"status": late})
    item.status = ItemStatus.OPEN
    item.completed_at = None
    item.completed_by = None
    _history(item, by=access.professional, change="completion_undone")
    item.save(update_fields=["status", "completed_at", "completed_by", "history"])
    _audit(item, "completion_undone", actor=actor)
    _tell_holder(item, kind=ReminderKind.ITEM_CHANGED, by=access.professional, case=access.case)
    return item


@transaction.atomic
def milestone_complete_undo(*, milestone: Milestone, actor: Any) -> Milestone:
    """Take back "Mark complete" within UNDO_HOURS: the milestone is open again, as before."""
    return _complete_undo(milestone, actor=actor)  # type: ignore[return-value]


@transaction.atomic
def review_complete_undo(*, review: Review, actor: Any) -> Review:
    return _complete_undo(review, actor=actor)  # type: ignore[return-value]


REASON_FOR_PERSON_MAX = 300


def _redate(
    item: Milestone | Review, *, new_date: date | None, reason: str, actor: Any, reason_for_person: str = ""
) -> Milestone | Review:
    """`reason` is the professional's own words (the case team reads it in the history);
    `reason_for_person`, optional, is a separate sentence in plain words for the person, the only
    reason their portal shows (decision 0070)."""
    access = _access(actor, item.case_id)
    # A closed case first: nobody holds a right on it, and the reason is that it is closed
    # (400, as PATCH answers), not who is asking (decision 0085).
    _require_open(access.case)
    _require(item_may_redate(access=access, item=item), _ONLY_ACCOUNTABLE)
    _locked(item)
    field = "due_date" if isinstance(item, Milestone) else "scheduled_for"
    errors: dict[str, str] = {}
    if item.status != ItemStatus.OPEN:
        errors[field] = f"Only an open {_subject_type(item)} can be moved to another date."
    elif new_date is None:
        errors[field] = "Give the new date."
    elif new_date == _due(item):
        errors[field] = "This is already the date. Give a different one."
    elif new_date < timezone.localdate():
        errors[field] = "The new date cannot be in the past."
    if not (reason or "").strip():
        errors["reason"] = "Say why the date changes. It is kept in the item's history."
    plain = " ".join((reason_for_person or "").split())
    if len(plain) > REASON_FOR_PERSON_MAX:
        errors["reason_for_person"] = f"Keep it short for the person: {REASON_FOR_PERSON_MAX} characters or fewer."
    if errors:
        raise ValidationError(errors)
    assert new_date is not None
    old = _due(item)
    setattr(item, field, new_date)
    extra = {"reason_for_person": plain} if plain else {}
    _history(
        item,
        by=access.professional,
        change="due_date",
        reason=reason.strip(),
        **{"from": old, "to": new_date},
        **extra,
    )
    item.save(update_fields=[field, "history"])
    _audit(item, "due_date_changed", actor=actor, detail={"from": old.isoformat(), "to": new_date.isoformat()})
    _tell_holder(item, kind=ReminderKind.ITEM_CHANGED, by=access.professional, case=access.case)
    return item


@transaction.atomic
def milestone_redate(
    *, milestone: Milestone, due_date: date | None, reason: str, actor: Any, reason_for_person: str = ""
) -> Milestone:
    """Move the due date, with a reason kept in the milestone's history (and the audit trail), and
    optionally a plain reason the person reads in their portal."""
    return _redate(  # type: ignore[return-value]
        milestone, new_date=due_date, reason=reason, actor=actor, reason_for_person=reason_for_person
    )


@transaction.atomic
def review_redate(
    *, review: Review, scheduled_for: date | None, reason: str, actor: Any, reason_for_person: str = ""
) -> Review:
    return _redate(  # type: ignore[return-value]
        review, new_date=scheduled_for, reason=reason, actor=actor, reason_for_person=reason_for_person
    )


def _set_status(item: Milestone | Review, *, status: str, actor: Any, reason: str = "") -> Milestone | Review:
    """Cancel an open item, or reopen a cancelled or completed one (however long ago it was
    completed): case managers (decision 0085)."""
    access = _access(actor, item.case_id)
    may = item_may_cancel(access=access) if status == ItemStatus.CANCELLED else item_may_reopen(access=access)
    _require_open(access.case)  # first, as in _redate
    _require(may, "Only a case manager can cancel or reopen this.")
    _locked(item)
    kind = _subject_type(item)
    if status == ItemStatus.CANCELLED:
        if item.status != ItemStatus.OPEN:
            raise ValidationError({"status": f"Only an open {kind} can be cancelled."})
    elif status == ItemStatus.OPEN:
        if item.status == ItemStatus.OPEN:
            raise ValidationError({"status": f"This {kind} is open already."})
    else:
        raise ValidationError({"status": "Choose open (to reopen) or cancelled; complete it with 'complete'."})
    item.status = status
    item.completed_at = None
    item.completed_by = None
    change = "cancelled" if status == ItemStatus.CANCELLED else "reopened"
    _history(item, by=access.professional, change=change, reason=(reason or "").strip())
    item.save(update_fields=["status", "completed_at", "completed_by", "history"])
    _audit(item, change, actor=actor)
    notice = ReminderKind.ITEM_CANCELLED if status == ItemStatus.CANCELLED else ReminderKind.ITEM_CHANGED
    _tell_holder(item, kind=notice, by=access.professional, case=access.case)
    return item


@transaction.atomic
def milestone_cancel(*, milestone: Milestone, actor: Any, reason: str = "") -> Milestone:
    return _set_status(milestone, status=ItemStatus.CANCELLED, actor=actor, reason=reason)  # type: ignore[return-value]


@transaction.atomic
def milestone_reopen(*, milestone: Milestone, actor: Any, reason: str = "") -> Milestone:
    return _set_status(milestone, status=ItemStatus.OPEN, actor=actor, reason=reason)  # type: ignore[return-value]


@transaction.atomic
def review_cancel(*, review: Review, actor: Any, reason: str = "") -> Review:
    return _set_status(review, status=ItemStatus.CANCELLED, actor=actor, reason=reason)  # type: ignore[return-value]


@transaction.atomic
def review_reopen(*, review: Review, actor: Any, reason: str = "") -> Review:
    return _set_status(review, status=ItemStatus.OPEN, actor=actor, reason=reason)  # type: ignore[return-value]


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    actor: Any,
    title: str | None = None,
    plain_summary: str | None = None,
    due_date: date | None = None,
    reason: str = "",
    reason_for_person: str = "",
    status: str | None = None,
) -> Milestone:
    """Edit the title or plain summary (case managers), move the due date (`reason`
    required: milestone_redate), or cancel / reopen (`status` cancelled or open). Each
    field is named: the accountable professional changes only by milestone_handover, and
    completion only by milestone_complete."""
    access = _access(actor, milestone.case_id)
    _require_open(access.case)
    if due_date is not None and due_date != milestone.due_date:
        milestone_redate(
            milestone=milestone, due_date=due_date, reason=reason, actor=actor, reason_for_person=reason_for_person
        )
    if status is not None and status != milestone.status:
        if status == ItemStatus.OPEN and item_completion_may_undo(access=access, item=milestone):
            milestone_complete_undo(milestone=milestone, actor=actor)
        else:
            _set_status(milestone, status=status, actor=actor, reason=reason)
    if title is None and plain_summary is None:
        return milestone
    _require(plan_may_edit(access=access), "Only a case manager can change this milestone.")
    _locked(milestone)
    errors = {
        name: overlong
        for name, value, limit in (("title", title, TITLE_MAX), ("plain_summary", plain_summary, PLAIN_SUMMARY_MAX))
        if (overlong := too_long(value, limit))
    }
    if errors:
        raise ValidationError(errors)
    changed: list[str] = []
    if title is not None and title.strip() != milestone.title:
        if not title.strip():
            raise ValidationError({"title": "Give the milestone a title."})
        milestone.title = title.strip()
        changed.append("title")
    if plain_summary is not None and plain_summary.strip() != milestone.plain_summary:
        milestone.plain_summary = plain_summary.strip()
        changed.append("plain_summary")
    if changed:
        _history(milestone, by=access.professional, change="edited", fields=changed)
        milestone.save(update_fields=[*changed, "history"])
        _audit(milestone, "updated", actor=actor, detail={"fields": changed})
        _tell_holder(milestone, kind=ReminderKind.ITEM_CHANGED, by=access.professional, case=access.case)
    return milestone
