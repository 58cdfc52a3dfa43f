"""Reads of agencies, teams and professionals, filtered for the viewer.

Directory data (names, agencies, teams, professions) is visible to every
signed-in professional: building a case team across agencies needs it. Only
admins and agency admins may change it (see `can_administer_agency`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Professional, Team


def professional_for(user: Any) -> Professional | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.professional
    except Professional.DoesNotExist:
        return None
    except AttributeError:
        return None


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def can_administer_agency(user: Any, agency_id: Any) -> bool:
    if is_admin(user):
        return True
    professional = professional_for(user)
    return bool(professional and professional.is_agency_admin and professional.agency_id == agency_id)


def agency_list_visible_to(*, user: Any) -> QuerySet[Agency]:
    if is_admin(user) or professional_for(user) is not None:
        return Agency.objects.all()
    return Agency.objects.none()


def team_list_visible_to(*, user: Any) -> QuerySet[Team]:
    if is_admin(user) or professional_for(user) is not None:
        return Team.objects.select_related("agency", "lead")
    return Team.objects.none()


def professional_list_visible_to(*, user: Any) -> QuerySet[Professional]:
    if is_admin(user) or professional_for(user) is not None:
        return Professional.objects.select_related("agency", "team", "user").filter(is_active=True)
    return Professional.objects.none()


def team_members_of_lead(*, lead: Professional) -> QuerySet[Professional]:
    """Professionals in teams this professional leads."""
    return Professional.objects.filter(team__lead=lead, is_active=True).select_related("team", "agency")


def _pk(value: Any) -> uuid.UUID:
    """A malformed id names nothing the caller can see: 404."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("Not found") from None


def agency_get_for(*, user: Any, agency_id: Any) -> Agency:
    agency = agency_list_visible_to(user=user).filter(pk=_pk(agency_id)).first()
    if agency is None:
        raise Http404("Not found")
    return agency


def team_get_for(*, user: Any, team_id: Any) -> Team:
    team = team_list_visible_to(user=user).filter(pk=_pk(team_id)).first()
    if team is None:
        raise Http404("Not found")
    return team


def professional_get_for(*, user: Any, professional_id: Any) -> Professional:
    """Any professional of the directory, active or not (an admin may need to reactivate one)."""
    if not (is_admin(user) or professional_for(user) is not None):
        raise Http404("Not found")
    professional = Professional.objects.select_related("agency", "team", "user").filter(pk=_pk(professional_id)).first()
    if professional is None:
        raise Http404("Not found")
    return professional


def leads_a_team(*, professional: Professional) -> bool:
    return professional.teams_led.exists()


def is_information_governance_lead(*, user: Any) -> bool:
    professional = professional_for(user)
    if professional is None:
        return False
    return professional.is_information_governance_lead or governed_agency_ids(professional=professional) != []


def governed_agency_ids(*, professional: Professional) -> list[Any]:
    """The agencies whose information-governance lead the professional is: any agency that
    names them as its lead, and their own agency when they are one of its IG leads."""
    ids = set(Agency.objects.filter(information_governance_lead=professional).values_list("pk", flat=True))
    if professional.is_information_governance_lead:
        ids.add(professional.agency_id)
    return sorted(ids)


def information_governance_leads(*, agency_id: Any) -> list[Professional]:
    """The agency's active information-governance leads: its named lead first (the API's
    `information_governance_lead`), then the others by name."""
    named = Agency.objects.filter(pk=agency_id).values_list("information_governance_lead_id", flat=True).first()
    leads = Professional.objects.filter(is_active=True).filter(
        Q(agency_id=agency_id, is_information_governance_lead=True) | Q(pk=named)
        if named
        else Q(agency_id=agency_id, is_information_governance_lead=True)
    )
    return sorted(leads.order_by("family_name", "given_name", "id"), key=lambda p: p.pk != named)
