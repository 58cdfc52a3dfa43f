"""Every write to agencies, teams and professionals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from accountability.services import audit_record
from agencies.models import Agency, Professional, Team

User = get_user_model()


@transaction.atomic
def agency_create(*, name: str, kind: str, actor: Any) -> Agency:
    if Agency.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": "An agency with this name already exists."})
    agency = Agency.objects.create(name=name.strip(), kind=kind)
    audit_record(action="agencies.agency.created", actor=actor, subject_type="agency", subject_id=agency.id)
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, actor: Any, **fields: Any) -> Agency:
    lead = fields.get("information_governance_lead", agency.information_governance_lead)
    if lead is not None and lead.agency_id != agency.id:
        raise ValidationError(
            {"information_governance_lead": "The information-governance lead must work for this agency."}
        )
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.save()
    audit_record(
        action="agencies.agency.updated",
        actor=actor,
        subject_type="agency",
        subject_id=agency.id,
        detail={"fields": sorted(fields)},
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
def team_update(*, team: Team, actor: Any, **fields: Any) -> Team:
    lead = fields.get("lead", team.lead)
    if lead is not None and lead.agency_id != team.agency_id:
        raise ValidationError({"lead": "The team lead must work for the team's agency."})
    for name, value in fields.items():
        setattr(team, name, value)
    team.save()
    audit_record(
        action="agencies.team.updated",
        actor=actor,
        subject_type="team",
        subject_id=team.id,
        detail={"fields": sorted(fields)},
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
        username=username, password=password, first_name=given_name, last_name=family_name, email=email
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
def professional_update(*, professional: Professional, actor: Any, **fields: Any) -> Professional:
    team = fields.get("team", professional.team)
    if team is not None and team.agency_id != professional.agency_id:
        raise ValidationError({"team": "The team must belong to the professional's agency."})
    for name, value in fields.items():
        setattr(professional, name, value)
    professional.save()
    if "is_active" in fields and professional.user.is_active != professional.is_active:
        # A professional who has left can no longer sign in (pages, portal or API token).
        professional.user.is_active = professional.is_active
        professional.user.save(update_fields=["is_active"])
    audit_record(
        action="agencies.professional.updated",
        actor=actor,
        subject_type="professional",
        subject_id=professional.id,
        detail={"fields": sorted(fields)},
    )
    return professional


@transaction.atomic
def auth_token_issue(*, user: Any, request: Any = None) -> str:
    """The API token of a signed-in user (created on first use); every issue is audited."""
    token, _ = Token.objects.get_or_create(user=user)
    audit_record(action="agencies.auth_token.issued", actor=user, request=request)
    return token.key
