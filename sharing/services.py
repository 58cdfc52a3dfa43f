"""Every write of sharing/: records, consent decisions, safeguarding overrides and
their reviews. Keyword-only, atomic, audited in the same transaction.

Floor 5. May use: cases, accountability, agencies, audit. Never plans.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency, Professional
from agencies.selectors import information_governance_leads, is_admin, professional_for
from audit.services import audit_record, audit_record_many
from cases.models import Case, CaseStatus, Person
from cases.selectors import CONTRIBUTE, get_case_for, is_on_a_case_team_of, proxy_may_record_consent
from cases.services import actor_professional
from sharing import policy
from sharing.models import (
    Category,
    Consent,
    ConsentDecision,
    LawfulBasis,
    OverrideOutcome,
    Record,
    SafeguardingAccess,
    SubjectAccessRequest,
    SubjectAccessStatus,
)

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

    The actor must be able to contribute to the case (checked here through the gate:
    404 when the case is not visible, 403 when it is but they may not write); a
    correction must also be of a record the actor can see."""
    get_case_for(user=actor, case_id=case.id, perm=CONTRIBUTE)
    author = actor_professional(actor)
    errors: dict[str, str] = {}
    if corrects is not None and not isinstance(corrects, Record):
        corrects_id = _uuid_or_none(corrects)
        corrects = Record.objects.filter(pk=corrects_id).first() if corrects_id else None
        if corrects is None:
            errors["corrects"] = "Choose a record of this case that you can see."
    if corrects is not None:
        if corrects.case_id != case.id or policy.record_basis(author, corrects.id) is None:
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
                "basis": policy.BASIS_OWN_AGENCY,
                "detail": detail,
            }
            for person_id in chosen
        ],
        actor=actor,
        request=request,
    )
    return record


def _person_actor_kind(actor: Any, person: Person) -> str:
    """'self' when the actor is the person's own portal account, 'proxy' when it is a
    portal account with proxy access in force for them, else 'professional' (the caller
    has checked, through cases.selectors, that they are on the person's cases)."""
    if person.user_id is not None and getattr(actor, "pk", None) == person.user_id:
        return "self"
    if professional_for(actor) is None and proxy_may_record_consent(user=actor, person=person):
        return "proxy"
    actor_professional(actor)
    return "professional"


def consent_may_record(*, actor: Any, person: Person, agency: Agency) -> bool:
    """Nobody grants their own agency access (DESIGN invariant 9): a decision about what
    `agency` may see is recorded by the person themself (their portal account), or by a
    professional on one of the person's case teams who does not work for `agency`."""
    if person.user_id is not None and getattr(actor, "pk", None) == person.user_id:
        return True
    professional = professional_for(actor)
    if professional is None:
        return proxy_may_record_consent(user=actor, person=person)
    if professional.agency_id == agency.pk:
        return False
    return is_on_a_case_team_of(person=person, professional=professional)


def consent_who_may_record(agency: Agency) -> str:
    """The 403 message: who can record a decision about what `agency` may see."""
    return (
        f"A decision about what {agency.name} may see is recorded by the person themself (or someone with "
        f"parental responsibility) through the portal, or by a professional on the person's case who does "
        f"not work for {agency.name}, such as the lead professional."
    )


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
    agency; the latest decision in force decides (sharing.policy). Bad input is a
    ValidationError (400) before the right is asked: `consent_may_record` (403)."""
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
    if not consent_may_record(actor=actor, person=person, agency=agency):
        raise PermissionDenied(consent_who_may_record(agency))
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
        detail={
            "category": consent.category,
            "agency": str(consent.agency_id),
            "decision": decision,
            **({"by": "proxy"} if kind == "proxy" else {}),
        },
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


def override_reviewer_for(*, holder: Professional, case: Case) -> Professional | None:
    """Who reviews an override (DESIGN invariant 9: never the holder): an IG lead of the
    holder's agency who is not the holder, else an IG lead of the lead professional's
    agency who is not the holder, else nobody: the administrators' queue."""
    lead_agency = Professional.objects.filter(pk=case.lead_professional_id).values_list("agency_id", flat=True).first()
    for agency_id in dict.fromkeys([holder.agency_id, lead_agency]):
        if agency_id is None:
            continue
        for lead in information_governance_leads(agency_id=agency_id):
            if lead.pk != holder.pk:
                return lead
    return None


@transaction.atomic
def safeguarding_access_take(
    *, case: Case, category: str | None, lawful_basis: str | None, justification: str, actor: Any, request: Any = None
) -> SafeguardingAccess:
    """Break glass: see one category of one case for 72 hours, on a lawful basis with a
    written justification. Never refused for want of a reviewer: the review goes to
    `override_reviewer_for`, or to the administrators' queue. The caller has checked the
    actor can see the case."""
    professional = actor_professional(actor)
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
    if policy.active_overrides(professional=professional, now=now).filter(case=case, category=category).exists():
        raise ValidationError({"category": "You already hold an active override for this category on this case."})
    reviewer = override_reviewer_for(holder=professional, case=case)
    access = SafeguardingAccess.objects.create(
        case=case,
        professional=professional,
        category=str(category),
        lawful_basis=str(lawful_basis),
        justification=justification.strip(),
        started_at=now,
        expires_at=now + timedelta(hours=OVERRIDE_HOURS),
        reviewer=reviewer,
        review_by_admins=reviewer is None,
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
                "basis": policy.BASIS_OVERRIDE,
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
        basis=policy.BASIS_OVERRIDE,
        detail={"category": access.category, "reason": reason, "holder": str(access.professional_id)},
    )


@transaction.atomic
def safeguarding_access_end(*, access: SafeguardingAccess, actor: Any, request: Any = None) -> SafeguardingAccess:
    """The holder gives the override up before it expires."""
    professional = actor_professional(actor)
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


def override_may_review(*, access: SafeguardingAccess, user: Any) -> bool:
    """The assigned reviewer, or an administrator; never the holder."""
    professional = professional_for(user)
    if professional is not None and professional.pk == access.professional_id:
        return False
    if is_admin(user):
        return True
    return professional is not None and access.reviewer_id == professional.pk


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
    """The assigned reviewer (or an administrator) records whether the override was
    justified and whether the person may be told. Nobody reviews their own override."""
    if not override_may_review(access=access, user=actor):
        raise PermissionDenied("Only the override's assigned reviewer or an administrator can review it.")
    reviewer = professional_for(actor)
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


# --- Subject access requests --------------------------------------------------------


def one_calendar_month_after(day: date) -> date:
    """The same day next month, or that month's last day (31 January -> 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def sar_accountable_for(case: Case) -> Professional:
    """The information-governance lead of the lead professional's agency (its named lead
    first); with none, the lead professional, who must pass it on."""
    leads = information_governance_leads(agency_id=case.lead_professional.agency_id)
    return leads[0] if leads else case.lead_professional


@transaction.atomic
def sar_request(*, person: Person, actor: Any, request: Any = None) -> SubjectAccessRequest:
    """The person (their own portal account) asks for a copy of their records. One open
    request at a time; due in one calendar month."""
    if person.user_id is None or getattr(actor, "pk", None) != person.user_id:
        raise PermissionDenied("Only the person themself can ask for a copy of their records.")
    if SubjectAccessRequest.objects.filter(person=person, status=SubjectAccessStatus.RECEIVED).exists():
        raise ValidationError({"request": "You have asked already. We are working on it."})
    case = (
        Case.objects.filter(people=person, status=CaseStatus.OPEN)
        .select_related("lead_professional__agency")
        .order_by("opened_at")
        .first()
        or Case.objects.filter(people=person).select_related("lead_professional__agency").order_by("-opened_at").first()
    )
    if case is None:
        raise ValidationError({"request": "There is no plan with your name on it, so there are no records."})
    today = timezone.localdate()
    try:
        with transaction.atomic():  # a request sent at the same moment wins the race: this one is refused
            sar = SubjectAccessRequest.objects.create(
                person=person,
                case=case,
                requested_by_user=actor,
                accountable=sar_accountable_for(case),
                due_date=one_calendar_month_after(today),
            )
    except IntegrityError:
        raise ValidationError({"request": "You have asked already. We are working on it."}) from None
    audit_record(
        action="sharing.sar.requested",
        actor=actor,
        request=request,
        person=person.pk,
        case=case.pk,
        subject_type="subject_access_request",
        subject_id=sar.pk,
        basis="self",
        detail={"due_date": sar.due_date.isoformat(), "accountable": str(sar.accountable_id)},
    )
    return sar


def sar_may_complete(*, sar: SubjectAccessRequest, actor: Any) -> bool:
    professional = professional_for(actor)
    return is_admin(actor) or (professional is not None and professional.pk == sar.accountable_id)


@transaction.atomic
def sar_complete(*, sar: SubjectAccessRequest, actor: Any, request: Any = None) -> SubjectAccessRequest:
    """The copy has been sent: the due item stops reminding."""
    if not sar_may_complete(sar=sar, actor=actor):
        raise PermissionDenied("Only the information-governance lead it is assigned to can mark it sent.")
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if locked.status == SubjectAccessStatus.SENT:
        raise ValidationError({"status": "This copy has been sent already."})
    if locked.status != SubjectAccessStatus.RECEIVED:
        raise ValidationError({"status": "This request was merged into an earlier one: answer that one."})
    locked.status = SubjectAccessStatus.SENT
    locked.completed_at = timezone.now()
    locked.completed_by = professional_for(actor)
    locked.save(update_fields=["status", "completed_at", "completed_by"])
    audit_record(
        action="sharing.sar.sent",
        actor=actor,
        request=request,
        person=locked.person_id,
        case=locked.case_id,
        subject_type="subject_access_request",
        subject_id=locked.pk,
    )
    return locked
