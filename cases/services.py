"""Every write of cases/: people, cases and the case team. Keyword-only, atomic,
audited in the same transaction.

Services validate business rules and raise django.core.exceptions.ValidationError
with field messages. Rights are decided here (`case_may_manage`) and every write
inside a case looks the case up through the gate (cases.selectors.get_case_for:
404 when not visible, 403 when not allowed), whoever calls it.

Floor 4. May use: accountability, agencies, audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from guardian.shortcuts import assign_perm, remove_perm

from accountability.selectors import open_items_held_on_case
from accountability.services import notice_queue
from agencies.models import Professional
from agencies.selectors import professional_for
from audit.services import audit_record, audit_record_many
from cases.models import (
    Case,
    CaseReferenceCounter,
    CaseStatus,
    Household,
    Person,
    ProxyAccess,
    ProxyScope,
    Relationship,
    RelationshipKind,
    Role,
    RoleAssignment,
)
from cases.notices import ADDED_TO_TEAM
from cases.selectors import (
    CaseAccess,
    age_on,
    get_case_for,
    household_list_visible_to,
    people_portal_manageable_ids,
    person_can_manage_portal,
    person_list_visible_to,
    sixteenth_birthday,
)

MANAGING_ROLES = {Role.LEAD_PROFESSIONAL, Role.TEAM_LEAD}
CASE_PERMS_ALL = ("view_case", "contribute_case", "manage_case")


def actor_professional(actor: Any) -> Professional:
    """The professional acting, or PermissionDenied (403) for anyone else."""
    professional = professional_for(actor)
    if professional is None:
        raise PermissionDenied("Only professionals can do this.")
    return professional


def require_case_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise ValidationError({"case": "This case is closed; its plan can no longer change."})


def require_on_case_team(case: Case, professional: Professional, field: str = "accountable") -> None:
    if not RoleAssignment.objects.filter(case=case, professional=professional, ended_on__isnull=True).exists():
        raise ValidationError(
            {field: f"{professional.full_name} is not on this case's team. Add them to the team first."}
        )


# --- Rights ---------------------------------------------------------------------


def case_may_manage(*, access: CaseAccess) -> bool:
    """Change the case team, the case's title, close it: the lead professional and the
    case's team leads (and team leads of its members), while it is open."""
    return access.can_manage


def _managed(actor: Any, case: Case) -> CaseAccess:
    """The case through the gate, refusing (403) an actor who may not manage it."""
    access = get_case_for(user=actor, case_id=case.id)
    if not case_may_manage(access=access):
        raise PermissionDenied("Only the lead professional or a team lead of the case can do this.")
    return access


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
    registrar = actor_professional(actor)
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
def person_update(
    *,
    person: Person,
    actor: Any,
    given_name: str | None = None,
    family_name: str | None = None,
    date_of_birth: date | None = None,
    preferred_language: str | None = None,
    interpreter_needed: bool | None = None,
) -> Person:
    """Change the named fields that are given (None leaves a field as it is)."""
    changed: list[str] = []
    if given_name is not None:
        if not given_name.strip():
            raise ValidationError({"given_name": "Enter the person's given name."})
        person.given_name = given_name.strip()
        changed.append("given_name")
    if family_name is not None:
        if not family_name.strip():
            raise ValidationError({"family_name": "Enter the person's family name."})
        person.family_name = family_name.strip()
        changed.append("family_name")
    if date_of_birth is not None:
        if date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
        person.date_of_birth = date_of_birth
        changed.append("date_of_birth")
    if preferred_language is not None:
        person.preferred_language = preferred_language or "en"
        changed.append("preferred_language")
    if interpreter_needed is not None:
        person.interpreter_needed = interpreter_needed
        changed.append("interpreter_needed")
    if changed:
        person.save(update_fields=changed)
    audit_record(
        action="cases.person.updated",
        actor=actor,
        person=person.id,
        subject_type="person",
        subject_id=person.id,
        detail={"fields": sorted(changed)},
    )
    return person


@transaction.atomic
def person_portal_account_create(*, person: Person, username: str, actor: Any, password: str | None = None) -> Any:
    """Give the person a portal login (service user). Without a password the account
    has none yet: the person chooses it through `portal_set_password_link`."""
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if person.user_id is not None:
        errors["username"] = ["This person already has a portal account."]
    elif not username:
        errors["username"] = ["Choose a username."]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken."]
    if password is not None:
        try:
            validate_password(
                password, User(username=username, first_name=person.given_name, last_name=person.family_name)
            )
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
        detail={"password_set": password is not None},
    )
    return user


def portal_set_password_link(user: Any) -> str:
    """The path of a one-time link where the person chooses their own password (Django's
    password-reset token: it stops working once a password is set, or after
    PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/portal/welcome/{uid}/{default_token_generator.make_token(user)}/"


@transaction.atomic
def portal_set_password_link_issue(*, person: Person, actor: Any) -> str:
    """A new set-password link for the person's portal account (the lead hands it over
    or prints it); refused once the person has chosen a password. Audited."""
    if person.user is None:
        raise ValidationError({"person": "This person has no portal account yet."})
    if person.user.has_usable_password():
        raise ValidationError({"person": "The person has chosen a password already."})
    audit_record(
        action="cases.person.portal_link_issued",
        actor=actor,
        person=person.id,
        subject_type="person",
        subject_id=person.id,
    )
    return portal_set_password_link(person.user)


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


def _tell_added(case: Case, professional: Professional, *, by: Professional) -> None:
    """Whoever is put on a case team by someone else is told at once, through the outbox
    (a row in this transaction; e-mail per their preference, never case content)."""
    if professional.pk == by.pk:
        return
    notice_queue(
        kind=ADDED_TO_TEAM,
        subject_type="case",
        subject_id=case.id,
        recipient=professional.id,
        due_date=timezone.localdate(),
        case=case.id,
        case_reference=case.reference,
        link=f"/cases/{case.id}/",
    )


def _end(assignment: RoleAssignment, *, by: Professional) -> None:
    assignment.ended_on = max(timezone.localdate(), assignment.started_on)
    assignment.ended_by = by
    assignment.save(update_fields=["ended_on", "ended_by"])
    _revoke(assignment)


@transaction.atomic
def case_open(*, title: str, people: Iterable[Person], lead: Professional, actor: Any, plain_title: str = "") -> Case:
    """Open a case with its people and its lead professional (who joins the team)."""
    opener = actor_professional(actor)
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
        reference=_next_reference(),
        title=title.strip(),
        plain_title=(plain_title or "").strip()[:200],
        lead_professional=lead,
        opened_by=opener,
    )
    case.people.set(people)
    today = timezone.localdate()
    lead_assignment = RoleAssignment.objects.create(
        case=case, professional=lead, role=Role.LEAD_PROFESSIONAL, started_on=today, assigned_by=opener
    )
    _grant(lead_assignment)
    _tell_added(case, lead, by=opener)
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
    _managed(actor, case)
    require_case_open(case)
    if not title.strip():
        raise ValidationError({"title": "Give the case a title."})
    case.title = title.strip()
    case.save(update_fields=["title", "updated_at"])
    audit_record(action="cases.case.updated", actor=actor, case=case.id, subject_type="case", subject_id=case.id)
    return case


@transaction.atomic
def case_close(*, case: Case, reason: str, actor: Any) -> Case:
    """Close with a reason. The team keeps read access; open items stop counting as work."""
    closer = _managed(actor, case).professional
    require_case_open(case)
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
    by = _managed(actor, case).professional
    require_case_open(case)
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
    if current is None:  # a new member (a change of role is not "added")
        _tell_added(case, professional, by=by)
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
    """Take a professional off the case team (revoking the case's object permissions).
    Refused while they answer for an open item of any registered kind on the case."""
    by = _managed(actor, assignment.case).professional
    require_case_open(assignment.case)
    if assignment.ended_on is not None:
        raise ValidationError({"assignment": "This role has already ended."})
    if assignment.role == Role.LEAD_PROFESSIONAL:
        raise ValidationError({"assignment": "A case always has a lead professional. Make someone else lead first."})
    open_items = open_items_held_on_case(professional_id=assignment.professional_id, case_id=assignment.case_id)
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


# --- Families -------------------------------------------------------------------------


def _check_language(value: str, errors: dict[str, str], field: str = "language") -> str:
    value = (value or "en").strip()
    parts = value.split("-")
    if len(value) > 35 or not parts[0].isalpha() or not all(p.isalnum() and 1 <= len(p) <= 8 for p in parts):
        errors[field] = "Give a language tag such as en, cy, pl or ar."
    return value


def family_may_change(*, actor: Any, people: Iterable[Person]) -> bool:
    """Record or change a household or a relationship naming these people: a professional
    who may see every one of them (people they registered, and the people of cases they
    can see: `person_list_visible_to`, the rule by which the API resolves the ids it is
    sent). The pages and the API ask this same question."""
    professional = professional_for(actor)
    if professional is None:
        return False
    ids = {p.pk for p in people}
    return not ids or person_list_visible_to(user=actor).filter(pk__in=ids).count() == len(ids)


def household_may_change(*, actor: Any, household: Household) -> bool:
    """Change a household's details or members: a professional who may see the household
    (one of its members, the rule that lists it: `household_list_visible_to`)."""
    if professional_for(actor) is None:
        return False
    return household_list_visible_to(user=actor).filter(pk=household.pk).exists()


def _require_family_change(actor: Any, people: Iterable[Person]) -> Professional:
    by = actor_professional(actor)
    if not family_may_change(actor=actor, people=people):
        raise PermissionDenied("You can record the families only of people you work with.")
    return by


def _require_household_change(actor: Any, household: Household, people: Iterable[Person] = ()) -> Professional:
    by = actor_professional(actor)
    if not household_may_change(actor=actor, household=household):
        raise PermissionDenied("You can change a household only when you work with someone who lives there.")
    return _require_family_change(actor, people) if people else by


def _household_fields(name: str, address: str, language: str, errors: dict[str, str]) -> tuple[str, str, str]:
    if not (name or "").strip():
        errors["name"] = "Give the household a name, for example “Carter household”."
    elif len(name.strip()) > 200:
        errors["name"] = "Keep the name to 200 characters or fewer."
    if len((address or "").strip()) > 1000:
        errors["address"] = "Keep the address to 1000 characters or fewer."
    return (name or "").strip(), (address or "").strip(), _check_language(language, errors)


@transaction.atomic
def household_create(
    *,
    name: str,
    members: Iterable[Person],
    actor: Any,
    address: str = "",
    language: str = "en",
    interpreter_needed: bool = False,
) -> Household:
    """Record who lives together. The caller resolved `members` through the people the
    actor may see."""
    members = list(members)
    by = _require_family_change(actor, members)
    errors: dict[str, str] = {}
    name, address, language = _household_fields(name, address, language, errors)
    if not members:
        errors["members"] = "Choose at least one person who lives here."
    if errors:
        raise ValidationError(errors)
    household = Household.objects.create(
        name=name,
        address=address,
        language=language,
        interpreter_needed=interpreter_needed,
        created_by=by,
    )
    household.members.set(members)
    audit_record_many(
        (
            {
                "action": "cases.household.created",
                "person": p.pk,
                "subject_type": "household",
                "subject_id": household.pk,
            }
            for p in members
        ),
        actor=actor,
    )
    return household


@transaction.atomic
def relationship_add(
    *, person: Person, to: Person, kind: str, actor: Any, parental_responsibility: bool = False
) -> Relationship:
    """`person` is the `kind` of `to`. The caller resolved both through the people the actor
    may see (`family_may_change`, else 403)."""
    by = _require_family_change(actor, [person, to])
    errors: dict[str, str] = {}
    if kind not in RelationshipKind.values:
        errors["kind"] = "Choose parent, step-parent, carer, grandparent, sibling, partner or other."
    if person.pk == to.pk:
        errors["to"] = "A person cannot be related to themself."
    elif Relationship.objects.filter(person=person, to=to).exists():
        errors["to"] = "This relationship is recorded already."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rel = Relationship.objects.create(
                person=person, to=to, kind=kind, parental_responsibility=parental_responsibility, recorded_by=by
            )
    except IntegrityError:
        raise ValidationError({"to": "This relationship is recorded already."}) from None
    audit_record_many(
        (
            {"action": "cases.relationship.added", "person": pk, "subject_type": "relationship", "subject_id": rel.pk}
            for pk in (person.pk, to.pk)
        ),
        actor=actor,
    )
    return rel


@transaction.atomic
def household_update(
    *,
    household: Household,
    actor: Any,
    name: str,
    address: str,
    language: str,
    interpreter_needed: bool,
    add_members: Iterable[Person] = (),
) -> Household:
    """Change a household's name, address, language and interpreter needs, and add the
    people of `add_members` who do not live there yet (`household_may_change`, and
    `family_may_change` for those added; else 403). Audited for every member."""
    add_members = list(add_members)
    _require_household_change(actor, household, add_members)
    errors: dict[str, str] = {}
    name, address, language = _household_fields(name, address, language, errors)
    if errors:
        raise ValidationError(errors)
    locked = Household.objects.select_for_update().get(pk=household.pk)
    changed = [
        f
        for f, value in (
            ("name", name),
            ("address", address),
            ("language", language),
            ("interpreter_needed", interpreter_needed),
        )
        if getattr(locked, f) != value
    ]
    locked.name, locked.address, locked.language, locked.interpreter_needed = (
        name,
        address,
        language,
        interpreter_needed,
    )
    if changed:
        locked.save(update_fields=changed)
    current = set(locked.members.values_list("pk", flat=True))
    added = [p for p in add_members if p.pk not in current]
    locked.members.add(*added)
    events = [
        {
            "action": "cases.household.updated",
            "person": pk,
            "subject_type": "household",
            "subject_id": locked.pk,
            "detail": {"fields": sorted(changed)},
        }
        for pk in sorted(current, key=str)
    ] + [
        {"action": "cases.household.member_added", "person": p.pk, "subject_type": "household", "subject_id": locked.pk}
        for p in added
    ]
    audit_record_many(events, actor=actor)
    return locked


@transaction.atomic
def household_member_remove(*, household: Household, person: Person, actor: Any) -> Household:
    """`person` no longer lives here (`household_may_change` and `family_may_change`, else
    403). A household keeps at least one member: the last one cannot be removed."""
    _require_household_change(actor, household, [person])
    locked = Household.objects.select_for_update().get(pk=household.pk)
    members = set(locked.members.values_list("pk", flat=True))
    if person.pk not in members:
        raise ValidationError({"person": f"{person.full_name} does not live in this household."})
    if len(members) == 1:
        raise ValidationError(
            {"person": f"{person.full_name} is the only person in this household; a household needs at least one."}
        )
    locked.members.remove(person)
    audit_record(
        action="cases.household.member_removed",
        actor=actor,
        person=person.pk,
        subject_type="household",
        subject_id=locked.pk,
    )
    return locked


@transaction.atomic
def relationship_remove(*, relationship: Relationship, actor: Any) -> None:
    """Remove a relationship that is no longer true or was recorded in error
    (`family_may_change` for both people, else 403). Refused while a parent's or carer's
    portal access was given through it: that access rests on it, and stays on record
    (docs/decisions/0082). The audit event keeps what it said."""
    _require_family_change(actor, [relationship.person, relationship.to])
    locked = Relationship.objects.select_for_update().filter(pk=relationship.pk).first()
    if locked is None:
        raise ValidationError({"relationship": "This relationship has been removed already."})
    proxies = list(ProxyAccess.objects.filter(relationship=locked).values_list("ended_at", flat=True))
    if any(ended is None for ended in proxies):
        raise ValidationError(
            {
                "relationship": (
                    f"{relationship.person.full_name} sees {relationship.to.full_name}'s portal through this "
                    "relationship. End that access first."
                )
            }
        )
    if proxies:
        raise ValidationError(
            {
                "relationship": (
                    "Portal access was once given through this relationship, so it stays on record as the reason "
                    "for that access."
                )
            }
        )
    detail = {
        "kind": locked.kind,
        "parental_responsibility": locked.parental_responsibility,
        "person": str(locked.person_id),
        "to": str(locked.to_id),
    }
    audit_record_many(
        (
            {
                "action": "cases.relationship.removed",
                "person": pk,
                "subject_type": "relationship",
                "subject_id": locked.pk,
                "detail": detail,
            }
            for pk in (locked.person_id, locked.to_id)
        ),
        actor=actor,
    )
    locked.delete()


# --- Proxy access ---------------------------------------------------------------------


def proxy_may_manage(*, actor: Any, person: Person) -> bool:
    """Link, freeze and end a person's proxies: the lead professional of one of the
    person's open cases (or an admin)."""
    return person_can_manage_portal(user=actor, person=person)


def proxy_manageable_ids(*, actor: Any, people: Iterable[Person]) -> set[Any]:
    """The ids of those of `people` whose proxies (and portal account) the actor may manage:
    `proxy_may_manage` for a list, in one query."""
    return people_portal_manageable_ids(user=actor, people=people)


def _require_proxy_manager(actor: Any, person: Person) -> Professional | None:
    if not proxy_may_manage(actor=actor, person=person):
        raise PermissionDenied("Only the lead professional of the person's case can change who sees their portal.")
    return professional_for(actor)


@transaction.atomic
def proxy_link(
    *,
    person: Person,
    username: str,
    scope: str,
    valid_until: date | None,
    actor: Any,
    child_agreed: bool = False,
) -> ProxyAccess:
    """Let another person's portal account see this person's portal, through a recorded
    relationship (the proxy is the parent, carer, ... of the person). A person of 12 or
    over (or of unknown age) must agree; from 16 a new agreement renews it.

    The right is checked first, and one message answers for "no such account" and "not
    related": what the form says reveals no one the caller may not see."""
    by = _require_proxy_manager(actor, person)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    User = get_user_model()
    proxy_user = User.objects.filter(username__iexact=(username or "").strip()).first() if username else None
    proxy_person = Person.objects.filter(user=proxy_user).first() if proxy_user is not None else None
    relationship = None
    if proxy_person is not None and proxy_person.pk == person.pk:
        errors["username"] = "This is the person's own account."
    else:
        if proxy_person is not None:
            relationship = Relationship.objects.filter(person=proxy_person, to=person).first()
        if relationship is None:
            errors["username"] = (
                f"No portal account of someone recorded as related to {person.full_name} has this username. "
                "Record how the parent or carer is related (parent, carer, ...) and give them a portal account first."
            )
    if scope not in ProxyScope.values:
        errors["scope"] = "Choose plan or plan_and_consents."
    if valid_until is None:
        errors["valid_until"] = "Give the date the access ends."
    elif valid_until < today:
        errors["valid_until"] = "The end date cannot be in the past."
    age = age_on(person.date_of_birth, today)
    if (age is None or age >= 12) and not child_agreed:
        errors["child_agreed"] = "The person is 12 or over (or their age is not known): record that they agree first."
    if errors:
        raise ValidationError(errors)
    assert by is not None or actor.is_superuser
    assert relationship is not None and valid_until is not None and proxy_user is not None
    proxy = ProxyAccess.objects.create(
        person=person,
        proxy_user=proxy_user,
        relationship=relationship,
        scope=scope,
        valid_until=valid_until,
        child_agreed=child_agreed,
        child_agreed_on=today if child_agreed else None,
        created_by=by or person.registered_by,
    )
    detail = {"scope": scope, "valid_until": valid_until.isoformat(), "child_agreed": child_agreed}
    if person.date_of_birth is not None and age is not None and age < 16:
        detail["ends_at_16"] = sixteenth_birthday(person.date_of_birth).isoformat()
    audit_record(
        action="cases.proxy.linked",
        actor=actor,
        person=person.pk,
        subject_type="proxy",
        subject_id=proxy.pk,
        detail=detail,
    )
    return proxy


@transaction.atomic
def proxy_freeze(*, proxy: ProxyAccess, actor: Any) -> ProxyAccess:
    """Stop a proxy at once (a safeguarding concern is open); the next request is refused."""
    by = _require_proxy_manager(actor, proxy.person)
    locked = ProxyAccess.objects.select_for_update().get(pk=proxy.pk)
    if locked.frozen_at is None and locked.ended_at is None:
        locked.frozen_at = timezone.now()
        locked.frozen_by = by
        locked.save(update_fields=["frozen_at", "frozen_by"])
    audit_record(
        action="cases.proxy.frozen", actor=actor, person=locked.person_id, subject_type="proxy", subject_id=locked.pk
    )
    return locked


@transaction.atomic
def proxy_end(*, proxy: ProxyAccess, actor: Any) -> ProxyAccess:
    by = _require_proxy_manager(actor, proxy.person)
    locked = ProxyAccess.objects.select_for_update().get(pk=proxy.pk)
    if locked.ended_at is None:
        locked.ended_at = timezone.now()
        locked.ended_by = by
        locked.save(update_fields=["ended_at", "ended_by"])
    audit_record(
        action="cases.proxy.ended", actor=actor, person=locked.person_id, subject_type="proxy", subject_id=locked.pk
    )
    return locked


@transaction.atomic
def case_plain_title_set(*, case: Case, plain_title: str, actor: Any) -> Case:
    """The title the person sees in the portal (empty: "Your plan with {agency}")."""
    _managed(actor, case)
    require_case_open(case)
    value = (plain_title or "").strip()
    if len(value) > 200:
        raise ValidationError({"plain_title": "Keep the plain title to 200 characters or fewer."})
    case.plain_title = value
    case.save(update_fields=["plain_title", "updated_at"])
    audit_record(
        action="cases.case.plain_title_set", actor=actor, case=case.id, subject_type="case", subject_id=case.id
    )
    return case
