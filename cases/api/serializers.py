"""Shapes of the case API: me, people, cases, the case team.

Output serializers render ids (UUIDs) for every reference. Input serializers
check types and resolve ids through selectors (so an id the caller cannot see
is an unknown id, 400); business rules stay in cases.services.

Floor 4.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.api.base import BoundedDateField
from agencies.api.serializers import ProfessionalRef
from agencies.validation import NOTE_MAX
from cases import selectors
from cases.models import (
    Case,
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

BCP47 = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


ME_KINDS = [("professional", "Professional"), ("service_user", "Service user"), ("admin", "Administrator")]


CASE_CLOSING_STATUS = [(CaseStatus.CLOSED.value, CaseStatus.CLOSED.label)]


def _uuid_list_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.UUIDField(), **kwargs)


class MeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ME_KINDS)
    username = serializers.CharField()
    name = serializers.CharField()
    professional = serializers.UUIDField(allow_null=True)
    person = serializers.UUIDField(allow_null=True)
    agency = serializers.UUIDField(allow_null=True)


class PersonSerializer(serializers.ModelSerializer):
    has_portal_account = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "preferred_language",
            "interpreter_needed",
            "has_portal_account",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_portal_account(self, obj: Person) -> bool:
        return obj.user_id is not None


class _PersonFields(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = BoundedDateField(required=False, allow_null=True)
    preferred_language = serializers.CharField(max_length=35, required=False)
    interpreter_needed = serializers.BooleanField(required=False)

    def validate_preferred_language(self, value: str) -> str:
        if not BCP47.match(value):
            raise serializers.ValidationError("Give a BCP 47 language tag, such as en, cy, pl or ar.")
        return value


class PersonCreateSerializer(_PersonFields):
    pass


class PersonUpdateSerializer(_PersonFields):
    given_name = serializers.CharField(max_length=100, required=False)
    family_name = serializers.CharField(max_length=100, required=False)


class PortalAccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(
        max_length=4096,
        write_only=True,
        trim_whitespace=False,
        required=False,
        help_text="Leave out to give the person a one-time link where they choose their own password.",
    )


class PortalAccountSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    username = serializers.CharField()
    set_password_link = serializers.CharField(
        allow_null=True, help_text="One-time link (path) to hand over; null when a password was given."
    )


def _visible_people(context: Mapping[str, Any], ids: list[Any]) -> list[Person]:
    wanted = list(dict.fromkeys(ids))
    found = {p.pk: p for p in selectors.person_list_visible_to(user=context["user"]).filter(pk__in=wanted)}
    unknown = [str(pk) for pk in wanted if pk not in found]
    if unknown:
        raise serializers.ValidationError(f"Unknown person: {', '.join(unknown)}.")
    return [found[pk] for pk in wanted]


class HouseholdSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "name", "address", "members", "language", "interpreter_needed", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_members(self, household: Household) -> list[str]:
        members = getattr(household, "visible_members", None)
        if members is None:
            members = list(household.members.all())
        return [str(p.pk) for p in members]


class HouseholdCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    members = _uuid_list_field(allow_empty=False, help_text="Ids of the people who live here.")
    language = serializers.CharField(max_length=35, required=False)
    interpreter_needed = serializers.BooleanField(required=False)

    def validate_members(self, value: list[Any]) -> list[Person]:
        return _visible_people(self.context, value)

    def validate_language(self, value: str) -> str:
        if not BCP47.match(value):
            raise serializers.ValidationError("Give a BCP 47 language tag, such as en, cy, pl or ar.")
        return value


class RelationshipSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person_id", read_only=True)
    to = serializers.UUIDField(source="to_id", read_only=True)

    class Meta:
        model = Relationship
        fields = ["id", "person", "to", "kind", "parental_responsibility", "created_at"]
        read_only_fields = fields


class RelationshipCreateSerializer(serializers.Serializer):
    to = serializers.UUIDField(help_text="The other person: the person in the path is their `kind`.")
    kind = serializers.ChoiceField(choices=RelationshipKind.choices)
    parental_responsibility = serializers.BooleanField(required=False, default=False)

    def validate_to(self, value: Any) -> Person:
        return _visible_people(self.context, [value])[0]


class ProxySerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person_id", read_only=True)
    username = serializers.CharField(source="proxy_user.username", read_only=True)
    relationship = serializers.UUIDField(source="relationship_id", read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = ProxyAccess
        fields = [
            "id",
            "person",
            "username",
            "relationship",
            "scope",
            "valid_until",
            "child_agreed",
            "child_agreed_on",
            "frozen_at",
            "ended_at",
            "in_force",
            "created_at",
        ]
        read_only_fields = fields

    def get_in_force(self, proxy: ProxyAccess) -> bool:
        return selectors.proxy_in_force(proxy)


class ProxyCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="The proxy's portal account.")
    scope = serializers.ChoiceField(choices=ProxyScope.choices)
    valid_until = serializers.DateField()
    child_agreed = serializers.BooleanField(required=False, default=False)


class CaseSerializer(serializers.ModelSerializer):
    """A case. The list renders `selectors.case_list_rows` with `case_row_data` instead,
    which tests/api/test_case_list_rows.py holds to this serializer field for field."""

    people = serializers.SerializerMethodField()
    lead_professional = serializers.UUIDField(source="lead_professional_id", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "title",
            "plain_title",
            "status",
            "people",
            "lead_professional",
            "opened_at",
            "closed_at",
            "closure_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_people(self, case: Case) -> list[str]:
        return [str(pk) for pk in sorted(p.pk for p in case.people.all())]  # id order, as in the list


_DATETIME = serializers.DateTimeField()


def case_row_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """`CaseSerializer`'s output for a row of `selectors.case_list_rows`, built directly:
    the list renders up to 50 rows per request, and DRF's per-field machinery was a
    fifth of the request's CPU time."""
    return {
        "id": str(row["id"]),
        "reference": row["reference"],
        "title": row["title"],
        "plain_title": row["plain_title"],
        "status": row["status"],
        "people": [str(pk) for pk in selectors.split_ids(row["people_csv"])],
        "lead_professional": str(row["lead_professional_id"]),
        "opened_at": _DATETIME.to_representation(row["opened_at"]),
        "closed_at": _DATETIME.to_representation(row["closed_at"]) if row["closed_at"] else None,
        "closure_reason": row["closure_reason"],
    }


class CaseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    plain_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    people = _uuid_list_field(allow_empty=False, help_text="Ids of the people the case is about.")
    lead_professional = ProfessionalRef()

    def validate_people(self, value: list[Any]) -> list[Person]:
        wanted = list(dict.fromkeys(value))
        found = {p.pk: p for p in selectors.person_list_visible_to(user=self.context["user"]).filter(pk__in=wanted)}
        unknown = [str(pk) for pk in wanted if pk not in found]
        if unknown:
            raise serializers.ValidationError(f"Unknown person: {', '.join(unknown)}.")
        return [found[pk] for pk in wanted]


class CaseUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    plain_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=CASE_CLOSING_STATUS, required=False, help_text="Set to `closed` (with `closure_reason`) to close."
    )
    closure_reason = serializers.CharField(required=False, max_length=NOTE_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("status") == CaseStatus.CLOSED and not attrs.get("closure_reason"):
            raise serializers.ValidationError({"closure_reason": "Say why the case is closing."})
        if "closure_reason" in attrs and attrs.get("status") != CaseStatus.CLOSED:
            raise serializers.ValidationError({"status": "A closure reason goes with status `closed`."})
        return attrs


class AssignmentSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)
    professional = serializers.UUIDField(source="professional_id", read_only=True)
    assigned_by = serializers.UUIDField(source="assigned_by_id", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "case", "professional", "role", "started_on", "ended_on", "assigned_by"]
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    professional = ProfessionalRef()
    role = serializers.ChoiceField(choices=Role.choices)
