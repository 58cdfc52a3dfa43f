"""Every write of cases/. Keyword-only, atomic, audited in the same transaction.

Services validate business rules and raise django.core.exceptions.ValidationError
with field messages; the caller has already checked, through
cases.selectors.get_case_for, that the actor may act on the case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accountability.services import audit_record, audit_record_many
from agencies.models import Agency, Professional
from agencies.selectors import professional_for
from cases import sharing
from cases.models import (
    Case,
    CaseReferenceCounter,
    CaseStatus,
    Category,
    Consent,
    ConsentDecision,
    Goal,
    Handover,
    ItemStatus,
    LawfulBasis,
    Milestone,
    OverrideOutcome,
    Person,
    Record,
    Review,
    ReviewKind,
    Role,
    RoleAssignment,
    SafeguardingAccess,
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
        raise ValidationError(
            {field: f"{professional.full_name} is not on this case's team. Add them to the team first."}
        )


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
    audit_record(
        action="cases.person.registered", actor=actor, person=person.id, subject_type="person", subject_id=person.id
    )
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
        _grant(
            RoleAssignment.objects.create(
                case=case, professional=opener, role=role, started_on=today, assigned_by=opener
            )
        )
    # One event per person the case is about (so ?person= finds it), in one INSERT.
    audit_record_many(
        (
            {
                "action": "cases.case.opened",
                "case": case.id,
                "person": person.id,
                "subject_type": "case",
                "subject_id": case.id,
            }
            for person in people
        ),
        actor=actor,
    )
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
        raise ValidationError({"role": "This is the lead professional. Make someone else lead professional first."})
    today = timezone.localdate()
    previous_lead: Professional | None = None
    if role == Role.LEAD_PROFESSIONAL:
        old = (
            RoleAssignment.objects.select_for_update()
            .filter(case=case, role=Role.LEAD_PROFESSIONAL, ended_on__isnull=True)
            .first()
        )
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
        Milestone.objects.filter(
            case=assignment.case, accountable=assignment.professional, status=ItemStatus.OPEN
        ).count()
        + Review.objects.filter(
            case=assignment.case, accountable=assignment.professional, status=ItemStatus.OPEN
        ).count()
    )
    if open_items:
        raise ValidationError(
            {
                "assignment": (
                    f"{assignment.professional.full_name} is accountable for {open_items} open item(s). "
                    "Hand them over first."
                )
            }
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
def goal_add(*, case: Case, description: str, measure: str, target_date: date, plain_summary: str, actor: Any) -> Goal:
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
    audit_record(
        action="cases.milestone.completed",
        actor=actor,
        case=milestone.case_id,
        subject_type="milestone",
        subject_id=milestone.id,
    )
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
    audit_record(
        action="cases.review.completed", actor=actor, case=review.case_id, subject_type="review", subject_id=review.id
    )
    return review


# --- Records, consent and the safeguarding override (the sharing issue) -------

OVERRIDE_HOURS = 72
OVERRIDE_REVIEW_DAYS = 5
JUSTIFICATION_MIN = 30


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


@transaction.atomic
def record_write(
    *,
    case: Case,
    category: str | None,
    text: str,
    actor: Any,
    about: Iterable[Person | Any] | None = None,
    corrects: Record | Any | None = None,
    request: Any = None,
) -> Record:
    """Write a case note. Records are immutable; a correction is a new record that
    references the one it corrects (same case), which stays as it was.

    The caller has checked CONTRIBUTE on the case (cases.selectors.get_case_for);
    a correction must also be of a record the actor can see."""
    author = _actor_professional(actor)
    errors: dict[str, str] = {}
    if corrects is not None and not isinstance(corrects, Record):
        corrects_id = _uuid_or_none(corrects)
        corrects = Record.objects.filter(pk=corrects_id).first() if corrects_id else None
        if corrects is None:
            errors["corrects"] = "Choose a record of this case that you can see."
    if corrects is not None:
        if corrects.case_id != case.id or sharing.record_basis(author, corrects.id) is None:
            errors["corrects"] = "Choose a record of this case that you can see."
        category = category or corrects.category
    if category not in Category.values:
        errors["category"] = "Choose one of the categories."
    if not (text or "").strip():
        errors["text"] = "Write the record."
    case_people = set(_case_people_ids(case.id))
    wanted: list[uuid.UUID | None] = [_uuid_or_none(getattr(p, "pk", p)) for p in (about or [])]
    if not wanted:
        source = corrects.about.all() if corrects is not None and "corrects" not in errors else None
        wanted = [p.pk for p in source] if source is not None else list(case_people)
    if any(pk not in case_people for pk in wanted):
        errors["about"] = "A record can only be about people on this case."
    elif not wanted:
        errors["about"] = "Choose who the record is about."
    if errors:
        raise ValidationError(errors)
    chosen = sorted({pk for pk in wanted if pk is not None})
    record = Record.objects.create(
        case=case,
        category=str(category),
        text=text.strip(),
        author=author,
        author_agency_id=author.agency_id,
        corrects=corrects,
    )
    Record.about.through.objects.bulk_create([Record.about.through(record=record, person_id=pk) for pk in chosen])
    detail = {"category": record.category}
    if corrects is not None:
        detail["corrects"] = str(corrects.id)
    audit_record_many(
        [
            {
                "action": "cases.record.corrected" if corrects is not None else "cases.record.written",
                "case": case.id,
                "person": person_id,
                "subject_type": "record",
                "subject_id": record.id,
                "subject_agency": author.agency_id,
                "basis": sharing.BASIS_OWN_AGENCY,
                "detail": detail,
            }
            for person_id in chosen
        ],
        actor=actor,
        request=request,
    )
    return record


def _person_actor_kind(actor: Any, person: Person) -> str:
    """'self' when the actor is the person's own portal account, else 'professional'
    (the caller has checked, through cases.selectors, that they are on the person's cases)."""
    if person.user_id is not None and getattr(actor, "pk", None) == person.user_id:
        return "self"
    _actor_professional(actor)
    return "professional"


@transaction.atomic
def consent_record(
    *,
    person: Person,
    category: str | None,
    agency: Agency | Any | None,
    purpose: str,
    valid_from: date | None,
    given_by: str,
    actor: Any,
    decision: str = ConsentDecision.GIVEN,
    valid_until: date | None = None,
    request: Any = None,
) -> Consent:
    """Record a person's decision to share (or refuse to share) one category with one
    agency. Recorded by a professional on the person's cases or by the person themself."""
    kind = _person_actor_kind(actor, person)
    errors: dict[str, str] = {}
    if agency is not None and not isinstance(agency, Agency):
        agency_id = _uuid_or_none(agency)
        agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
        if agency is None:
            errors["agency"] = "Choose one of the agencies."
    if category not in Category.values:
        errors["category"] = "Choose one of the categories."
    elif category == Category.GENERAL:
        errors["category"] = "General (coordination) records are shared with the case team already."
    if agency is None and "agency" not in errors:
        errors["agency"] = "Choose the agency this decision is about."
    if decision not in ConsentDecision.values:
        errors["decision"] = "Choose given or refused."
    if not (purpose or "").strip():
        errors["purpose"] = "Say what the information is shared for."
    if not (given_by or "").strip():
        errors["given_by"] = "Say who gave (or refused) consent: the person, or who holds parental responsibility."
    if valid_from is None:
        errors["valid_from"] = "Give the date the decision starts."
    elif valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = "The end date cannot be before the start date."
    if errors:
        raise ValidationError(errors)
    assert agency is not None and valid_from is not None  # checked above
    consent = Consent.objects.create(
        person=person,
        category=str(category),
        agency=agency,
        purpose=purpose.strip(),
        decision=decision,
        valid_from=valid_from,
        valid_until=valid_until,
        given_by=given_by.strip(),
        recorded_by=professional_for(actor) if kind == "professional" else None,
        recorded_by_user=actor,
    )
    audit_record(
        action="cases.consent.recorded",
        actor=actor,
        request=request,
        person=person.id,
        subject_type="consent",
        subject_id=consent.id,
        subject_agency=agency.id if agency else None,
        basis="self" if kind == "self" else "",
        detail={"category": consent.category, "agency": str(consent.agency_id), "decision": decision},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: Any, request: Any = None) -> Consent:
    """Withdraw at once: the next read is already refused (the policy reads `withdrawn_at`)."""
    kind = _person_actor_kind(actor, consent.person)
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_at is not None:
        raise ValidationError({"consent": "This consent has already been withdrawn."})
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by_user = actor
    locked.save(update_fields=["withdrawn_at", "withdrawn_by_user"])
    audit_record(
        action="cases.consent.withdrawn",
        actor=actor,
        request=request,
        person=locked.person_id,
        subject_type="consent",
        subject_id=locked.id,
        subject_agency=locked.agency_id,
        basis="self" if kind == "self" else "",
        detail={"category": locked.category, "agency": str(locked.agency_id)},
    )
    return locked


def _case_people_ids(case_id: Any) -> list[Any]:
    return list(Case.people.through.objects.filter(case_id=case_id).values_list("person_id", flat=True))


@transaction.atomic
def safeguarding_access_take(
    *, case: Case, category: str | None, lawful_basis: str | None, justification: str, actor: Any, request: Any = None
) -> SafeguardingAccess:
    """Break glass: see one category of one case for 72 hours, on a lawful basis with a
    written justification. Opens a review for the actor's agency's IG lead. The caller
    has checked the actor can see the case."""
    professional = _actor_professional(actor)
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = "Choose one of the categories."
    elif category == Category.GENERAL:
        errors["category"] = "General (coordination) records are visible to the case team already."
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis."
    if len((justification or "").strip()) < JUSTIFICATION_MIN:
        errors["justification"] = f"Explain why in at least {JUSTIFICATION_MIN} characters."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if sharing.active_overrides(professional=professional, now=now).filter(case=case, category=category).exists():
        raise ValidationError({"category": "You already hold an active override for this category on this case."})
    access = SafeguardingAccess.objects.create(
        case=case,
        professional=professional,
        category=str(category),
        lawful_basis=str(lawful_basis),
        justification=justification.strip(),
        started_at=now,
        expires_at=now + timedelta(hours=OVERRIDE_HOURS),
        reviewer=professional.agency.information_governance_lead,
        review_due=timezone.localdate(now) + timedelta(days=OVERRIDE_REVIEW_DAYS),
    )
    audit_record_many(
        [
            {
                "action": "cases.override.started",
                "case": case.id,
                "person": person_id,
                "subject_type": "safeguarding_access",
                "subject_id": access.id,
                "basis": sharing.BASIS_OVERRIDE,
                "detail": {"category": access.category, "lawful_basis": access.lawful_basis},
            }
            for person_id in _case_people_ids(case.id)
        ],
        actor=actor,
        request=request,
    )
    return access


def _audit_override_ended(access: SafeguardingAccess, *, actor: Any, reason: str, request: Any = None) -> None:
    audit_record(
        action="cases.override.ended",
        actor=actor,
        request=request,
        case=access.case_id,
        subject_type="safeguarding_access",
        subject_id=access.id,
        basis=sharing.BASIS_OVERRIDE,
        detail={"category": access.category, "reason": reason, "holder": str(access.professional_id)},
    )


@transaction.atomic
def safeguarding_access_end(*, access: SafeguardingAccess, actor: Any, request: Any = None) -> SafeguardingAccess:
    """The holder gives the override up before it expires."""
    professional = _actor_professional(actor)
    if access.professional_id != professional.id:
        raise PermissionDenied("Only the professional who took the override can end it.")
    now = timezone.now()
    updated = SafeguardingAccess.objects.filter(pk=access.pk, ended_at__isnull=True, expires_at__gt=now).update(
        ended_at=now
    )
    if updated != 1:
        raise ValidationError({"override": "This override has already ended."})
    access.refresh_from_db()
    _audit_override_ended(access, actor=actor, reason="ended", request=request)
    return access


@transaction.atomic
def safeguarding_access_expire_due(*, now: datetime | None = None, professional: Professional | None = None) -> int:
    """Mark overrides past their 72 hours as ended (at their expiry time) and audit each
    end exactly once (`cases.override.ended`, reason `expired`, actor the system).

    The policy never depends on this: an override stops counting at `expires_at` by
    itself. Record reads call this for the viewer's own overrides, so the end is
    audited at the first read after expiry at the latest; the reminders scan may call
    it with no professional to sweep all of them. Safe to run concurrently: each row is
    claimed by a conditional UPDATE."""
    now = now or timezone.now()
    due = SafeguardingAccess.objects.filter(ended_at__isnull=True, expires_at__lte=now)
    if professional is not None:
        due = due.filter(professional=professional)
    ended = 0
    for access in due.only("id", "expires_at", "case_id", "category", "professional_id"):
        if SafeguardingAccess.objects.filter(pk=access.pk, ended_at__isnull=True).update(ended_at=access.expires_at):
            _audit_override_ended(access, actor=None, reason="expired")
            ended += 1
    return ended


@transaction.atomic
def safeguarding_review_record(
    *,
    access: SafeguardingAccess,
    outcome: str | None,
    person_may_be_told: bool,
    actor: Any,
    notes: str = "",
    request: Any = None,
) -> SafeguardingAccess:
    """The information-governance lead of the override holder's agency records whether
    it was justified and whether the person may be told."""
    reviewer = _actor_professional(actor)
    lead_id = (
        Agency.objects.filter(pk=access.professional.agency_id)
        .values_list("information_governance_lead_id", flat=True)
        .first()
    )
    if lead_id != reviewer.id:
        raise PermissionDenied("Only the agency's information-governance lead reviews its overrides.")
    if outcome not in OverrideOutcome.values:
        raise ValidationError({"outcome": "Choose justified or not justified."})
    now = timezone.now()
    updated = SafeguardingAccess.objects.filter(pk=access.pk, outcome="").update(
        outcome=outcome,
        outcome_notes=(notes or "").strip(),
        person_may_be_told=bool(person_may_be_told),
        reviewed_by=reviewer,
        reviewed_at=now,
    )
    if updated != 1:
        raise ValidationError({"outcome": "This override has already been reviewed."})
    access.refresh_from_db()
    audit_record(
        action="cases.override.reviewed",
        actor=actor,
        request=request,
        case=access.case_id,
        subject_type="safeguarding_access",
        subject_id=access.id,
        detail={"outcome": outcome, "person_may_be_told": bool(person_may_be_told)},
    )
    return access
