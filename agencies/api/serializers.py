"""Shapes of the directory API: agencies, teams, professionals, and the token login.

Input serializers only check types and that referenced rows exist; the rules
(who may lead a team, which team fits which agency) live in agencies.services.
"""

from __future__ import annotations

from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers

from agencies.models import Agency, AgencyKind, Profession, Professional, Team


class ProfessionalRef(serializers.PrimaryKeyRelatedField):
    """An active professional named by id."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Professional.objects.filter(is_active=True).select_related("agency", "team"))
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)


class AgencyRef(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Agency.objects.all())
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)


class TeamRef(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Team.objects.all())
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)


# --- Token --------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The current one-time code (authenticator app or a recovery code): required for "
        "professionals and admins when two-factor sign-in is on, and for anyone who enrolled an app or "
        "recovery codes. A passkey gives no code: a professional who has only a passkey adds an app or "
        "recovery codes on the website first.",
    )
    name = serializers.CharField(
        max_length=100,
        required=False,
        default="api",
        help_text="Which client holds the token (e.g. the name of your case-management system).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <token>`. Shown once.")
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)


# --- Agencies -------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    information_governance_lead = serializers.UUIDField(
        source="information_governance_lead_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "information_governance_lead", "created_at"]
        read_only_fields = fields


class AgencyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=AgencyKind.choices)


class AgencyUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=AgencyKind.choices, required=False)
    information_governance_lead = ProfessionalRef(required=False, allow_null=True)


# --- Teams ----------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    lead = serializers.UUIDField(source="lead_id", read_only=True, allow_null=True)

    class Meta:
        model = Team
        fields = ["id", "name", "agency", "lead", "created_at"]
        read_only_fields = fields


class TeamCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    agency = AgencyRef()
    lead = ProfessionalRef(required=False, allow_null=True)


class TeamUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    lead = ProfessionalRef(required=False, allow_null=True)


# --- Professionals --------------------------------------------------------------


class ProfessionalSerializer(serializers.ModelSerializer):
    agency = serializers.UUIDField(source="agency_id", read_only=True)
    team = serializers.UUIDField(source="team_id", read_only=True, allow_null=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Professional
        fields = [
            "id",
            "given_name",
            "family_name",
            "full_name",
            "agency",
            "team",
            "profession",
            "is_agency_admin",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class ProfessionalCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(max_length=4096, write_only=True, trim_whitespace=False)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    agency = AgencyRef()
    team = TeamRef(required=False, allow_null=True)
    profession = serializers.ChoiceField(choices=Profession.choices)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    is_agency_admin = serializers.BooleanField(required=False)


class ProfessionalUpdateSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100, required=False)
    family_name = serializers.CharField(max_length=100, required=False)
    team = TeamRef(required=False, allow_null=True)
    profession = serializers.ChoiceField(choices=Profession.choices, required=False)
    is_agency_admin = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
