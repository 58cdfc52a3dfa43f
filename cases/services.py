"""Every write of cases/. Keyword-only, atomic, audited in the same transaction.

Services validate business rules and raise django.core.exceptions.ValidationError
with field messages; the caller has already checked, through
cases.selectors.get_case_for, that the actor may act on the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accountability.services import audit_record
from agencies.models import Professional
from agencies.selectors import professional_for
from cases.models import (
    Case,
    CaseReferenceCounter,
    CaseStatus,
    Goal,
    Handover,
    ItemStatus,
    Milestone,
    Person,
    Review,
    ReviewKind,
    Role,
    RoleAssignment,
)

MANAGING_ROLES = {Role.LEAD_PROFESSIONAL, Role.TEAM_LEAD}
CASE_PERMS_ALL = ("view_case", "contribute_case", "manage_case")


def _actor_professional(actor: Any) -> Professional:
    professional = professional_for(actor)
    if professional is None:
        raise PermissionDenied("Only professionals can do this.")
    return professional


def _not_in_past(value: date, field: str, label: str) -> None:
    if value < timezone.localdate():
        raise ValidationError({field: f"{label} cannot be in the past."})


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise ValidationError({"case": "This case is closed; its plan can no longer change."})


def _require_on_team(case: Case, professional: Professional, field: str = "accountable") -> None:
    if not RoleAssignment.objects.filter(case=case, professional=professional, ended_on__isnull=True).exists():
        raise ValidationError({field: f"{professional.full_name} is not on this case's team. Add them to the team first."})


# --- People -------------------------------------------------------------------


@transaction.atomic
def person_register(
    *,
    given_name: str,
    family_name: str,
    actor: Any,
    date_of_birth: date | None = None,
    preferred_language: str = "en",
    interpreter_needed: bool = False,
) -> Person:
    registrar = _actor_professional(actor)
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
    person = Person.objects.create(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        preferred_language=preferred_language or "en",
        interpreter_needed=interpreter_needed,
        registered_by=registrar,
    )
    audit_record(action="cases.person.registered", actor=actor, person=person.id, subject_type="person", subject_id=person.id)
    return person


@transaction.atomic
def person_update(*, person: Person, actor: Any, **fields: Any) -> Person:
    dob = fields.get("date_of_birth")
    if dob is not None and dob > timezone.localdate():
        raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
    for name, value in fields.items():
        setattr(person, name, value)
    person.save()
    audit_record(
        action="cases.person.updated",
        actor=actor,
        person=person.id,
        subject_type="person",
        subject_id=person.id,
        detail={"fields": sorted(fields)},
    )
    return person


@transaction.atomic
def person_portal_account_create(*, person: Person, username: str, password: str, actor: Any) -> Any:
    """Give the person a portal login (service user)."""
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    if person.user_id is not None:
        errors["username"] = ["This person already has a portal account."]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken."]
    try:
        validate_password(password, User(username=username, first_name=person.given_name, last_name=person.family_name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(
        username=username, password=password, first_name=person.given_name, last_name=person.family_name
    )
    person.user = user
    person.save(update_fields=["user"])
    audit_record(
        action="cases.person.portal_account_created",
        actor=actor,
        person=person.id,
        subject_type="person",
        subject_id=person.id,
    )
    return user


# --- Cases --------------------------------------------------------------------


def _next_reference() -> str:
    year = timezone.localdate().year
    counter, _ = CaseReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"C-{year}-{counter.last:05d}"


def _grant(assignment: RoleAssignment) -> None:
    user = assignment.professional.user
    assign_perm("cases.view_case", user, assignment.case)
    assign_perm("cases.contribute_case", user, assignment.case)
    if assignment.role in MANAGING_ROLES:
        assign_perm("cases.manage_case", user, assignment.case)


def _revoke(assignment: RoleAssignment) -> None:
    user = assignment.professional.user
    for perm in CASE_PERMS_ALL:
        remove_perm(f"cases.{perm}", user, assignment.case)


def _end(assignment: RoleAssignment, *, by: Professional) -> None:
    assignment.ended_on = max(timezone.localdate(), assignment.started_on)
    assignment.ended_by = by
    assignment.save(update_fields=["ended_on", "ended_by"])
    _revoke(assignment)


@transaction.atomic
def case_open(*, title: str, people: Iterable[Person], lead: Professional, actor: Any) -> Case:
    """Open a case with its people and its lead professional (who joins the team)."""
    opener = _actor_professional(actor)
    people = list(people)
    errors: dict[str, str] = {}
    if not title or not title.strip():
        errors["title"] = "Give the case a title."
    if not people:
        errors["people"] = "Choose at least one person the case is about."
    if lead is None:
        errors["lead_professional"] = "Every case needs a lead professional."
    elif not lead.is_active:
        errors["lead_professional"] = "This professional is no longer active."
    if errors:
        raise ValidationError(errors)
    case = Case.objects.create(
        reference=_next_reference(), title=title.strip(), lead_professional=lead, opened_by=opener
    )
    case.people.set(people)
    today = timezone.localdate()
    lead_assignment = RoleAssignment.objects.create(
        case=case, professional=lead, role=Role.LEAD_PROFESSIONAL, started_on=today, assigned_by=opener
    )
    _grant(lead_assignment)
    if opener.pk != lead.pk and not (lead.team_id and lead.team and lead.team.lead_id == opener.pk):
        # The opener keeps sight of the case they opened.
        role = Role.TEAM_LEAD if opener.teams_led.exists() else Role.CONTRIBUTOR
        _grant(RoleAssignment.objects.create(case=case, professional=opener, role=role, started_on=today, assigned_by=opener))
    for person in people:
        audit_record(action="cases.case.opened", actor=actor, case=case.id, person=person.id, subject_type="case", subject_id=case.id)
    return case


@transaction.atomic
def case_update(*, case: Case, actor: Any, title: str) -> Case:
    _require_open(case)
    if not title.strip():
        raise ValidationError({"title": "Give the case a title."})
    case.title = title.strip()
    case.save(update_fields=["title", "updated_at"])
    audit_record(action="cases.case.updated", actor=actor, case=case.id, subject_type="case", subject_id=case.id)
    return case


@transaction.atomic
def case_close(*, case: Case, reason: str, actor: Any) -> Case:
    """Close with a reason. The team keeps read access; open items stop counting as work."""
    closer = _actor_professional(actor)
    _require_open(case)
    if not reason or len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why the case is closing (at least 10 characters)."})
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.closed_by = closer
    case.closure_reason = reason.strip()
    case.save(update_fields=["status", "closed_at", "closed_by", "closure_reason", "updated_at"])
    audit_record(action="cases.case.closed", actor=actor, case=case.id, subject_type="case", subject_id=case.id)
    return case


# --- The case team ------------------------------------------------------------


@transaction.atomic
def assignment_add(*, case: Case, professional: Professional, role: str, actor: Any) -> RoleAssignment:
    """Put a professional on the case team (granting the case's object permissions).

    Making someone lead professional hands the lead over: the previous lead's
    lead assignment ends and they stay on the team as key worker."""
    by = _actor_professional(actor)
    _require_open(case)
    if role not in Role.values:
        raise ValidationError({"role": "Choose a valid role."})
    if not professional.is_active:
        raise ValidationError({"professional": "This professional is no longer active."})
    current = RoleAssignment.objects.filter(case=case, professional=professional, ended_on__isnull=True).first()
    if current is not None and current.role == role:
        raise ValidationError({"professional": f"{professional.full_name} is already on the team in this role."})
    if current is not None and current.role == Role.LEAD_PROFESSIONAL:
        raise ValidationError(
            {"role": "This is the lead professional. Make someone else lead professional first."}
        )
    today = timezone.localdate()
    previous_lead: Professional | None = None
    if role == Role.LEAD_PROFESSIONAL:
        old = RoleAssignment.objects.select_for_update().filter(
            case=case, role=Role.LEAD_PROFESSIONAL, ended_on__isnull=True
        ).first()
        if old is not None:
            previous_lead = old.professional
            _end(old, by=by)
    if current is not None:
        _end(current, by=by)
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                case=case, professional=professional, role=role, started_on=today, assigned_by=by
            )
    except IntegrityError:
        raise ValidationError({"professional": "The case team changed at the same time; try again."}) from None
    _grant(assignment)
    if role == Role.LEAD_PROFESSIONAL:
        case.lead_professional = professional
        case.save(update_fields=["lead_professional", "updated_at"])
        if previous_lead is not None and previous_lead.pk != professional.pk:
            _grant(
                RoleAssignment.objects.create(
                    case=case, professional=previous_lead, role=Role.KEY_WORKER, started_on=today, assigned_by=by
                )
            )
    audit_record(
        action="cases.assignment.added",
        actor=actor,
        case=case.id,
        subject_type="assignment",
        subject_id=assignment.id,
        detail={"professional": str(professional.id), "role": role},
    )
    return assignment


@transaction.atomic
def assignment_end(*, assignment: RoleAssignment, actor: Any) -> RoleAssignment:
    """Take a professional off the case team (revoking the case's object permissions)."""
    by = _actor_professional(actor)
    _require_open(assignment.case)
    if assignment.ended_on is not None:
        raise ValidationError({"assignment": "This role has already ended."})
    if assignment.role == Role.LEAD_PROFESSIONAL:
        raise ValidationError({"assignment": "A case always has a lead professional. Make someone else lead first."})
    open_items = (
        Milestone.objects.filter(case=assignment.case, accountable=assignment.professional, status=ItemStatus.OPEN).count()
        + Review.objects.filter(case=assignment.case, accountable=assignment.professional, status=ItemStatus.OPEN).count()
    )
    if open_items:
        raise ValidationError(
            {"assignment": f"{assignment.professional.full_name} is accountable for {open_items} open item(s). Hand them over first."}
        )
    _end(assignment, by=by)
    audit_record(
        action="cases.assignment.ended",
        actor=actor,
        case=assignment.case_id,
        subject_type="assignment",
        subject_id=assignment.id,
        detail={"professional": str(assignment.professional_id), "role": assignment.role},
    )
    return assignment


# --- The plan -----------------------------------------------------------------


@transaction.atomic
def goal_add(
    *, case: Case, description: str, measure: str, target_date: date, plain_summary: str, actor: Any
) -> Goal:
    """A SMART goal: what will be different, how it is measured, and by when."""
    by = _actor_professional(actor)
    _require_open(case)
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
    by = _actor_professional(actor)
    _require_open(case)
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
    by = _actor_professional(actor)
    _require_open(item.case)
    if item.status != ItemStatus.OPEN:
        raise ValidationError({"accountable": "Only open items can be handed over."})
    if to.pk == item.accountable_id:
        raise ValidationError({"accountable": f"{to.full_name} is already accountable for this."})
    _require_on_team(item.case, to)
    previous = item.accountable
    item.accountable = to
    item.save(update_fields=["accountable"])
    handover = Handover.objects.create(
        case=item.case,
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
    return handover


@transaction.atomic
def milestone_handover(*, milestone: Milestone, to: Professional, actor: Any) -> Handover:
    """Make someone else on the case team accountable; records who handed what to whom, when."""
    return _hand_over(milestone, subject_type="milestone", to=to, actor=actor)


@transaction.atomic
def milestone_complete(*, milestone: Milestone, actor: Any) -> Milestone:
    by = _actor_professional(actor)
    _require_open(milestone.case)
    if milestone.status != ItemStatus.OPEN:
        raise ValidationError({"status": "This milestone is not open."})
    milestone.status = ItemStatus.COMPLETED
    milestone.completed_at = timezone.now()
    milestone.completed_by = by
    milestone.save(update_fields=["status", "completed_at", "completed_by"])
    audit_record(action="cases.milestone.completed", actor=actor, case=milestone.case_id, subject_type="milestone", subject_id=milestone.id)
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor: Any, **fields: Any) -> Milestone:
    """Edit title, plain summary, due date or status (cancel / reopen). Handover and
    completion have their own services."""
    _actor_professional(actor)
    _require_open(milestone.case)
    status = fields.pop("status", None)
    if "due_date" in fields and fields["due_date"] != milestone.due_date:
        _not_in_past(fields["due_date"], "due_date", "The due date")
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationError({"title": "Give the milestone a title."})
    for name, value in fields.items():
        setattr(milestone, name, value)
    if status is not None and status != milestone.status:
        if status == ItemStatus.COMPLETED:
            milestone.completed_at = timezone.now()
            milestone.completed_by = professional_for(actor)
        elif status in (ItemStatus.OPEN, ItemStatus.CANCELLED):
            milestone.completed_at = None
            milestone.completed_by = None
        else:
            raise ValidationError({"status": "Choose open, completed or cancelled."})
        milestone.status = status
    milestone.save()
    audit_record(
        action="cases.milestone.updated",
        actor=actor,
        case=milestone.case_id,
        subject_type="milestone",
        subject_id=milestone.id,
        detail={"fields": sorted(fields) + (["status"] if status else [])},
    )
    return milestone


@transaction.atomic
def review_add(
    *, case: Case, scheduled_for: date, accountable: Professional, actor: Any, kind: str = ReviewKind.CASE_REVIEW
) -> Review:
    by = _actor_professional(actor)
    _require_open(case)
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
    _actor_professional(actor)
    _require_open(review.case)
    if review.status != ItemStatus.OPEN:
        raise ValidationError({"status": "This review is not open."})
    review.status = ItemStatus.COMPLETED
    review.completed_at = timezone.now()
    review.save(update_fields=["status", "completed_at"])
    audit_record(action="cases.review.completed", actor=actor, case=review.case_id, subject_type="review", subject_id=review.id)
    return review
