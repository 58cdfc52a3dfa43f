"""Shapes of the plan API: goals, milestones, reviews. Output serializers render ids
(UUIDs); input serializers check types and resolve ids through selectors; rules
stay in plans.services.

Floor 5.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agencies.api.base import BoundedDateField
from agencies.api.serializers import ProfessionalRef
from agencies.validation import NOTE_MAX, PLAIN_SUMMARY_MAX, PLAN_TEXT_MAX
from plans import selectors
from plans.models import Goal, GoalStatus, ItemStatus, Milestone, Review, ReviewKind


class GoalSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "case",
            "description",
            "measure",
            "target_date",
            "plain_summary",
            "status",
            "outcome_note",
            "outcome_at",
            "history",
            "created_at",
        ]
        read_only_fields = fields


class GoalUpdateSerializer(serializers.Serializer):
    """PATCH a goal: any SMART field (none may be emptied), or `achievement` with a `note`."""

    description = serializers.CharField(required=False, allow_blank=True, max_length=PLAN_TEXT_MAX)
    measure = serializers.CharField(required=False, allow_blank=True, max_length=PLAN_TEXT_MAX)
    target_date = BoundedDateField(required=False)
    plain_summary = serializers.CharField(required=False, allow_blank=True, max_length=PLAIN_SUMMARY_MAX)
    achievement = serializers.ChoiceField(
        choices=[*GoalStatus.choices], required=False, help_text="achieved or not_achieved (active takes it back)"
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX, help_text="Required with an achievement"
    )


class GoalCreateSerializer(serializers.Serializer):
    """SMART: what will be different, how it is measured, by when, in plain words. All required."""

    description = serializers.CharField(max_length=PLAN_TEXT_MAX)
    measure = serializers.CharField(max_length=PLAN_TEXT_MAX)
    target_date = BoundedDateField()
    plain_summary = serializers.CharField(max_length=PLAIN_SUMMARY_MAX)


class MilestoneSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)
    goal = serializers.UUIDField(source="goal_id", read_only=True)
    accountable = serializers.UUIDField(source="accountable_id", read_only=True)
    completed_by = serializers.UUIDField(source="completed_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "case",
            "goal",
            "title",
            "plain_summary",
            "due_date",
            "accountable",
            "status",
            "completed_at",
            "completed_by",
            "history",
            "created_at",
        ]
        read_only_fields = fields


class MilestoneCreateSerializer(serializers.Serializer):
    goal = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    due_date = BoundedDateField()
    accountable = ProfessionalRef(help_text="A professional on the case team.")
    plain_summary = serializers.CharField(required=False, allow_blank=True, max_length=PLAIN_SUMMARY_MAX)

    def validate_goal(self, value: Any) -> Goal:
        goal = selectors.goal_get_in_case(case=self.context["case"], goal_id=value)
        if goal is None:
            raise serializers.ValidationError("Choose a goal of this case.")
        return goal


class MilestoneUpdateSerializer(serializers.Serializer):
    accountable = ProfessionalRef(required=False, help_text="Hands the milestone over to this team member.")
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    due_date = BoundedDateField(required=False)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NOTE_MAX,
        help_text="Why the due date changes: required with `due_date`, kept in `history`",
    )
    reason_for_person = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Optional, with `due_date`: why, in plain words for the person; the only reason their "
        "portal shows (kept in `history`)",
    )
    plain_summary = serializers.CharField(required=False, allow_blank=True, max_length=PLAIN_SUMMARY_MAX)


class ReviewSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)
    accountable = serializers.UUIDField(source="accountable_id", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "case",
            "kind",
            "scheduled_for",
            "accountable",
            "status",
            "completed_at",
            "history",
            "created_at",
        ]
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    scheduled_for = BoundedDateField()
    accountable = ProfessionalRef(help_text="A professional on the case team.")
    kind = serializers.ChoiceField(choices=ReviewKind.choices, required=False)
