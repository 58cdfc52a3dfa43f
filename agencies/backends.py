"""Sign-in backend: Django's ModelBackend, but the query that loads the
signed-in user on every request also loads their professional record, its
agency and team, and whether they lead a team. The page header and every
permission check need those; loading them here keeps each page's query count
small and constant."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from agencies.models import Agency, Team


class ProfessionalModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        user = (
            user_model._default_manager.select_related("professional__agency", "professional__team")
            .annotate(leads_a_team=Exists(Team.objects.filter(lead__user=OuterRef("pk"))))
            # The nav shows override reviews and the audit trail to information-governance leads.
            .annotate(
                is_information_governance_lead=ExpressionWrapper(
                    Q(Exists(Agency.objects.filter(information_governance_lead__user=OuterRef("pk"))))
                    | Q(professional__is_information_governance_lead=True),
                    output_field=BooleanField(),
                )
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
