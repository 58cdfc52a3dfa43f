"""Every write of the portal: the person's messages and the lead worker's replies, what
the person thinks (rating and comment), and the person's changes to what they share
(through sharing.services, which decide who may). Each tells the lead professional:
an in-app notice queued in the same transaction (accountability's outbox), and the
message is owed an answer within ANSWER_DAYS (portal.due).

Floor 6. May use: plans, sharing, cases, accountability, agencies, audit.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.services import notice_queue
from agencies.models import Agency
from audit.services import audit_record
from cases.models import Case, CaseStatus
from cases.selectors import CaseAccess, get_case_for
from cases.services import case_may_manage
from portal.models import Feedback, MessageKind, PortalMessage
from portal.notices import MESSAGE
from portal.selectors import PortalSubject
from sharing import services as sharing_services
from sharing.models import Consent, ConsentDecision, SubjectAccessRequest

ANSWER_DAYS = 7
MESSAGE_MAX = 2000
PORTAL_MESSAGE = "portal_message"


def _post(
    *, subject: PortalSubject, case: Case, text: str, actor: Any, kind: str, request: Any = None
) -> PortalMessage:
    if case.status != CaseStatus.OPEN:
        raise ValidationError({"case": _("This plan has ended.")})
    message = PortalMessage.objects.create(
        case=case,
        person=subject.person,
        kind=kind,
        text=text,
        author_user=actor,
        to_professional=case.lead_professional,
        answer_by=timezone.localdate() + timedelta(days=ANSWER_DAYS),
    )
    notice_queue(
        kind=MESSAGE,
        subject_type=PORTAL_MESSAGE,
        subject_id=message.pk,
        recipient=case.lead_professional_id,
        due_date=message.answer_by,  # type: ignore[arg-type]
        case=case.pk,
        case_reference=case.reference,
    )
    audit_record(
        action="portal.message.sent" if kind == MessageKind.FROM_PERSON else "portal.notice.sent",
        actor=actor,
        request=request,
        person=subject.person.pk,
        case=case.pk,
        subject_type=PORTAL_MESSAGE,
        subject_id=message.pk,
        basis="self" if subject.is_self else "",
        detail={} if subject.is_self else {"proxy": str(subject.proxy.pk)},  # type: ignore[union-attr]
    )
    return message


@transaction.atomic
def message_send(*, subject: PortalSubject, case: Case, text: str, actor: Any, request: Any = None) -> PortalMessage:
    """A message from the person (or their proxy) to the case's lead worker. The caller
    found `case` among the person's open cases (portal.selectors.portal_case_get)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your message.")})
    if len(text) > MESSAGE_MAX:
        raise ValidationError({"text": _("Keep your message to %(max)s letters or fewer.") % {"max": MESSAGE_MAX}})
    return _post(subject=subject, case=case, text=text, actor=actor, kind=MessageKind.FROM_PERSON, request=request)


def message_may_reply(*, access: CaseAccess) -> bool:
    """The lead professional and the case's team leads answer the person."""
    return case_may_manage(access=access)


@transaction.atomic
def message_reply(*, case: Case, person_id: Any, text: str, actor: Any, request: Any = None) -> PortalMessage:
    """The lead worker's reply in the person's thread; it answers every earlier message of
    the thread on this case."""
    access = get_case_for(user=actor, case_id=case.pk, request=request)
    if not message_may_reply(access=access):
        raise PermissionDenied("The lead professional or a team lead of the case answers the person.")
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Write the reply."
    elif len(text) > MESSAGE_MAX:
        errors["text"] = f"Keep the reply to {MESSAGE_MAX} characters or fewer."
    try:
        person = case.people.filter(pk=uuid.UUID(str(person_id))).first() if person_id else None
    except ValueError:
        person = None
    if person is None:
        errors["person"] = "Choose one of the case's people."
    if errors:
        raise ValidationError(errors)
    assert person is not None
    reply = PortalMessage.objects.create(
        case=case,
        person=person,
        kind=MessageKind.REPLY,
        text=text,
        author_user=actor,
        author_professional=access.professional,
    )
    PortalMessage.objects.filter(case=case, person=person, answered_at__isnull=True).exclude(
        kind=MessageKind.REPLY
    ).update(answered_at=timezone.now())
    audit_record(
        action="portal.message.replied",
        actor=actor,
        request=request,
        person=person.pk,
        case=case.pk,
        subject_type=PORTAL_MESSAGE,
        subject_id=reply.pk,
    )
    return reply


@transaction.atomic
def feedback_give(
    *, subject: PortalSubject, case: Case, rating: Any, comment: str, actor: Any, request: Any = None
) -> Feedback:
    errors: dict[str, str] = {}
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5 or isinstance(rating, bool):
        errors["rating"] = _("Choose a number from 1 to 5.")
    comment = (comment or "").strip()
    if len(comment) > MESSAGE_MAX:
        errors["comment"] = _("Keep it to %(max)s letters or fewer.") % {"max": MESSAGE_MAX}
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(
        case=case, person=subject.person, author_user=actor, rating=value, comment=comment
    )
    audit_record(
        action="portal.feedback.given",
        actor=actor,
        request=request,
        person=subject.person.pk,
        case=case.pk,
        subject_type="feedback",
        subject_id=feedback.pk,
        basis="self" if subject.is_self else "",
        detail={"rating": value},
    )
    return feedback


def _lead_case(subject: PortalSubject) -> Case | None:
    return (
        Case.objects.filter(people=subject.person, status=CaseStatus.OPEN)
        .select_related("lead_professional__agency")
        .order_by("opened_at")
        .first()
    )


def _tell_lead(subject: PortalSubject, text: str, actor: Any, request: Any) -> None:
    case = _lead_case(subject)
    if case is not None:
        _post(subject=subject, case=case, text=text, actor=actor, kind=MessageKind.NOTICE, request=request)


@transaction.atomic
def sharing_decide(
    *, subject: PortalSubject, agency: Agency, category: str, decision: str, actor: Any, request: Any = None
) -> Consent:
    """The person (or a proxy who may) says yes or no to sharing one kind of information
    with one agency: a new decision, in force at once (the latest decision decides); the
    lead professional is told."""
    if not subject.may_change_sharing:
        raise PermissionDenied("You can see this plan, but not change what is shared.")
    given_by = subject.person.full_name
    if subject.proxy is not None:
        proxy_person = getattr(actor, "person", None)
        given_by = f"{proxy_person.full_name if proxy_person else actor.get_username()} (parental responsibility)"
    consent = sharing_services.consent_record(
        person=subject.person,
        category=category,
        agency=agency,
        purpose="To help with your plan",
        decision=decision,
        valid_from=timezone.localdate(),
        given_by=given_by,
        actor=actor,
        request=request,
    )
    word = "yes" if decision == ConsentDecision.GIVEN else "no"
    _tell_lead(
        subject,
        f"{subject.person.given_name} said {word} to sharing {consent.get_category_display().lower()} "
        f"information with {agency.name}.",
        actor,
        request,
    )
    return consent


@transaction.atomic
def sharing_withdraw(*, subject: PortalSubject, consent: Consent, actor: Any, request: Any = None) -> Consent:
    if not subject.may_change_sharing:
        raise PermissionDenied("You can see this plan, but not change what is shared.")
    if consent.person_id != subject.person.pk:
        raise PermissionDenied("This is not your decision.")
    withdrawn = sharing_services.consent_withdraw(consent=consent, actor=actor, request=request)
    _tell_lead(
        subject,
        f"{subject.person.given_name} took back their yes to sharing {consent.get_category_display().lower()} "
        f"information with {consent.agency.name}.",
        actor,
        request,
    )
    return withdrawn


@transaction.atomic
def records_copy_request(*, subject: PortalSubject, actor: Any, request: Any = None) -> SubjectAccessRequest:
    """A request for a copy of the person's records (their own account only)."""
    if not subject.is_self:
        raise PermissionDenied("Only the person can ask for a copy of their own records.")
    return sharing_services.sar_request(person=subject.person, actor=actor, request=request)


@transaction.atomic
def portal_password_chosen(*, user: Any, form: Any, request: Any = None) -> Any:
    """The person chose their password through the one-time link (which stops working now)."""
    user = form.save()
    audit_record(
        action="cases.person.portal_password_chosen",
        actor=user,
        request=request,
        person=user.person.pk,
        subject_type="person",
        subject_id=user.person.pk,
        basis="self",
    )
    return user
