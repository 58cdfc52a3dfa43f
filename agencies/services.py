"""Every write to agencies, teams and professionals.

Updates name their fields: a field left at UNSET is not changed (None is a value:
"no team lead"). Floor 2. May use: audit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency, Professional, Team
from audit.services import audit_record

User = get_user_model()


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@transaction.atomic
def agency_create(*, name: str, kind: str, actor: Any) -> Agency:
    if Agency.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": "An agency with this name already exists."})
    agency = Agency.objects.create(name=name.strip(), kind=kind)
    audit_record(action="agencies.agency.created", actor=actor, subject_type="agency", subject_id=agency.id)
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    actor: Any,
    name: str = UNSET,
    kind: str = UNSET,
    information_governance_lead: Professional | None = UNSET,
) -> Agency:
    changed: list[str] = []
    if name is not UNSET:
        if Agency.objects.filter(name__iexact=name.strip()).exclude(pk=agency.pk).exists():
            raise ValidationError({"name": "An agency with this name already exists."})
        agency.name = name.strip()
        changed.append("name")
    if kind is not UNSET:
        agency.kind = kind
        changed.append("kind")
    if information_governance_lead is not UNSET:
        lead = information_governance_lead
        if lead is not None and lead.agency_id != agency.id:
            raise ValidationError(
                {"information_governance_lead": "The information-governance lead must work for this agency."}
            )
        agency.information_governance_lead = lead
        changed.append("information_governance_lead")
    if changed:
        agency.save(update_fields=changed)
    audit_record(
        action="agencies.agency.updated",
        actor=actor,
        subject_type="agency",
        subject_id=agency.id,
        detail={"fields": sorted(changed)},
    )
    return agency


@transaction.atomic
def team_create(*, agency: Agency, name: str, actor: Any, lead: Professional | None = None) -> Team:
    if Team.objects.filter(agency=agency, name__iexact=name.strip()).exists():
        raise ValidationError({"name": "This agency already has a team with this name."})
    if lead is not None and lead.agency_id != agency.id:
        raise ValidationError({"lead": "The team lead must work for the team's agency."})
    team = Team.objects.create(agency=agency, name=name.strip(), lead=lead)
    audit_record(action="agencies.team.created", actor=actor, subject_type="team", subject_id=team.id)
    return team


@transaction.atomic
def team_update(*, team: Team, actor: Any, name: str = UNSET, lead: Professional | None = UNSET) -> Team:
    changed: list[str] = []
    if name is not UNSET:
        if Team.objects.filter(agency=team.agency_id, name__iexact=name.strip()).exclude(pk=team.pk).exists():
            raise ValidationError({"name": "This agency already has a team with this name."})
        team.name = name.strip()
        changed.append("name")
    if lead is not UNSET:
        if lead is not None and lead.agency_id != team.agency_id:
            raise ValidationError({"lead": "The team lead must work for the team's agency."})
        team.lead = lead
        changed.append("lead")
    if changed:
        team.save(update_fields=changed)
    audit_record(
        action="agencies.team.updated",
        actor=actor,
        subject_type="team",
        subject_id=team.id,
        detail={"fields": sorted(changed)},
    )
    return team


@transaction.atomic
def professional_create(
    *,
    username: str,
    password: str,
    given_name: str,
    family_name: str,
    agency: Agency,
    profession: str,
    actor: Any,
    team: Team | None = None,
    email: str = "",
    is_agency_admin: bool = False,
) -> Professional:
    """Create the login and the professional together."""
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken."]
    if team is not None and team.agency_id != agency.id:
        errors["team"] = ["The team must belong to the professional's agency."]
    try:
        validate_password(password, User(username=username, first_name=given_name, last_name=family_name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=given_name,
        last_name=family_name,
        email=email,
        is_staff=is_agency_admin,  # an agency administrator uses the (agency-scoped) administration pages
    )
    professional = Professional.objects.create(
        user=user,
        agency=agency,
        team=team,
        given_name=given_name,
        family_name=family_name,
        profession=profession,
        is_agency_admin=is_agency_admin,
    )
    audit_record(
        action="agencies.professional.created",
        actor=actor,
        subject_type="professional",
        subject_id=professional.id,
    )
    return professional


@transaction.atomic
def professional_update(
    *,
    professional: Professional,
    actor: Any,
    given_name: str = UNSET,
    family_name: str = UNSET,
    team: Team | None = UNSET,
    profession: str = UNSET,
    is_agency_admin: bool = UNSET,
    is_information_governance_lead: bool = UNSET,
    is_active: bool = UNSET,
) -> Professional:
    changed: list[str] = []
    if team is not UNSET:
        if team is not None and team.agency_id != professional.agency_id:
            raise ValidationError({"team": "The team must belong to the professional's agency."})
        professional.team = team
        changed.append("team")
    for field, value in (
        ("given_name", given_name),
        ("family_name", family_name),
        ("profession", profession),
        ("is_agency_admin", is_agency_admin),
        ("is_information_governance_lead", is_information_governance_lead),
        ("is_active", is_active),
    ):
        if value is not UNSET:
            changed.append(field)
    if given_name is not UNSET:
        professional.given_name = given_name
    if family_name is not UNSET:
        professional.family_name = family_name
    if profession is not UNSET:
        professional.profession = profession
    if is_agency_admin is not UNSET:
        professional.is_agency_admin = is_agency_admin
    if is_information_governance_lead is not UNSET:
        professional.is_information_governance_lead = bool(is_information_governance_lead)
    if is_active is not UNSET:
        professional.is_active = is_active
    if changed:
        professional.save(update_fields=changed)
    if is_agency_admin is not UNSET and not professional.user.is_superuser:
        professional.user.is_staff = bool(is_agency_admin)
        professional.user.save(update_fields=["is_staff"])
    if is_active is not UNSET and professional.user.is_active != professional.is_active:
        # A professional who has left can no longer sign in (pages, portal or API token).
        professional.user.is_active = professional.is_active
        professional.user.save(update_fields=["is_active"])
    audit_record(
        action="agencies.professional.updated",
        actor=actor,
        subject_type="professional",
        subject_id=professional.id,
        detail={"fields": sorted(changed)},
    )
    return professional
