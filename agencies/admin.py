"""Django admin for agencies, teams and professionals.

Superusers see and change everything. An agency administrator (a professional
with `is_agency_admin` whose login `is_staff`) sees and changes only their own
agency, its teams and its professionals: every queryset, permission check and
choice list below is narrowed to that agency. Writes go through
agencies.services, so each change is audited like any other."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken as KnoxAuthToken

from agencies import accounts, services
from agencies.models import Agency, Profession, Professional, Team
from agencies.selectors import professional_for


def administered_agency_id(request: HttpRequest) -> Any:
    """The agency an agency administrator manages; None for anyone else (incl. superusers)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return None
    professional = professional_for(user)
    if professional is None or not professional.is_agency_admin or not professional.is_active:
        return None
    return professional.agency_id


class AgencyScopedAdmin(admin.ModelAdmin):
    """Rows belong to an agency through `agency_lookup`; agency admins get theirs only."""

    agency_lookup = "agency"

    def _agency_of(self, obj: Any) -> Any:
        return getattr(obj, f"{self.agency_lookup}_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        agency_id = administered_agency_id(request)
        if agency_id is None:
            return qs.none()
        return qs.filter(**{self.agency_lookup: agency_id})

    def _may(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        agency_id = administered_agency_id(request)
        return agency_id is not None and (obj is None or self._agency_of(obj) == agency_id)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People are deactivated, never deleted: their names stay on audit trails and plans.
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        agency_id = None if request.user.is_superuser else administered_agency_id(request)
        if agency_id is not None:
            if db_field.name == "agency":
                kwargs["queryset"] = Agency.objects.filter(pk=agency_id)
            elif db_field.name == "team":
                kwargs["queryset"] = Team.objects.filter(agency_id=agency_id)
            elif db_field.name in ("lead", "information_governance_lead"):
                kwargs["queryset"] = Professional.objects.filter(agency_id=agency_id, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _changes(form: forms.ModelForm, names: list[str]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.changed_data}


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    agency_lookup = "id"
    list_display = ["name", "kind", "information_governance_lead"]
    search_fields = ["name"]
    fields = ["name", "kind", "information_governance_lead"]

    def _agency_of(self, obj: Any) -> Any:
        return obj.pk

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        agency_id = administered_agency_id(request)
        return qs.filter(pk=agency_id) if agency_id is not None else qs.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if request.user.is_superuser else ["name", "kind"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "information_governance_lead":
            match = request.resolver_match
            try:
                object_id = uuid.UUID(str(match.kwargs.get("object_id"))) if match else None
            except ValueError:
                object_id = None
            candidates = Professional.objects.filter(is_active=True)
            kwargs["queryset"] = candidates.filter(agency_id=object_id) if object_id else candidates.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Agency, form: forms.ModelForm, change: bool) -> None:
        if change:
            services.agency_update(
                agency=obj, actor=request.user, **_changes(form, ["name", "kind", "information_governance_lead"])
            )
        else:
            created = services.agency_create(name=obj.name, kind=obj.kind, actor=request.user)
            obj.pk, obj.created_at = created.pk, created.created_at


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["agency", "name", "lead"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, lead = data.get("agency"), data.get("lead")
        if agency is not None and lead is not None and lead.agency_id != agency.pk:
            raise ValidationError({"lead": "The team lead must work for the team's agency."})
        return data


@admin.register(Team)
class TeamAdmin(AgencyScopedAdmin):
    form = TeamForm
    list_display = ["name", "agency", "lead"]
    list_filter = ["agency"]
    search_fields = ["name"]
    list_select_related = ["agency", "lead"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A team stays in its agency (its members and lead work there).
        return ["agency"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Team, form: forms.ModelForm, change: bool) -> None:
        if change:
            services.team_update(team=obj, actor=request.user, **_changes(form, ["name", "lead"]))
        else:
            created = services.team_create(agency=obj.agency, name=obj.name, lead=obj.lead, actor=request.user)
            obj.pk, obj.created_at = created.pk, created.created_at


class ProfessionalAddForm(forms.ModelForm):
    """Creates the login with the professional (agencies.services.professional_create)."""

    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 10 characters, not a common password.")
    email = forms.EmailField(required=False)

    class Meta:
        model = Professional
        fields = ["given_name", "family_name", "agency", "team", "profession", "is_agency_admin"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("This username is taken.")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, team = data.get("agency"), data.get("team")
        if agency is not None and team is not None and team.agency_id != agency.pk:
            raise ValidationError({"team": "The team must belong to the professional's agency."})
        if data.get("password") and data.get("username"):
            user = get_user_model()(
                username=data["username"], first_name=data.get("given_name", ""), last_name=data.get("family_name", "")
            )
            try:
                validate_password(data["password"], user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data

    def save(self, commit: bool = True) -> Professional:
        # Saving happens in ProfessionalAdmin.save_model through the service.
        self.save_m2m = lambda: None  # type: ignore[method-assign]
        return self.instance


class ProfessionalChangeForm(forms.ModelForm):
    class Meta:
        model = Professional
        fields = [
            "given_name",
            "family_name",
            "team",
            "profession",
            "is_agency_admin",
            "is_information_governance_lead",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        team = data.get("team")
        if team is not None and team.agency_id != self.instance.agency_id:
            raise ValidationError({"team": "The team must belong to the professional's agency."})
        return data


@admin.register(Professional)
class ProfessionalAdmin(AgencyScopedAdmin):
    list_display = ["family_name", "given_name", "agency", "team", "profession", "is_agency_admin", "is_active"]
    list_filter = ["agency", "profession", "is_active", "is_agency_admin"]
    search_fields = ["given_name", "family_name", "user__username"]
    list_select_related = ["agency", "team"]
    actions = ["reset_second_factors"]

    @admin.action(description="Reset second factors (lost phone): they enrol again at their next sign-in")
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The queryset is already narrowed to the agency an agency administrator manages.
        professionals = list(queryset.select_related("user"))
        for professional in professionals:
            accounts.second_factors_reset(user=professional.user, actor=request.user, request=request)
        self.message_user(
            request,
            f"Second factors reset for {len(professionals)} professional(s): their sessions and API tokens "
            "have ended, and they set up an authenticator app at their next sign-in.",
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = ProfessionalChangeForm if obj is not None else ProfessionalAddForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["username", "password", "email", *ProfessionalAddForm.Meta.fields]
        return ["agency", *ProfessionalChangeForm.Meta.fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["agency"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Professional, form: forms.ModelForm, change: bool) -> None:
        if change:
            services.professional_update(
                professional=obj, actor=request.user, **_changes(form, ProfessionalChangeForm.Meta.fields)
            )
            return
        data = form.cleaned_data
        created = services.professional_create(
            username=data["username"],
            password=data["password"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            agency=data["agency"],
            team=data["team"],
            profession=data["profession"] or Profession.OTHER,
            email=data["email"],
            is_agency_admin=data["is_agency_admin"],
            actor=request.user,
        )
        obj.pk, obj.user_id, obj.created_at = created.pk, created.user_id, created.created_at


# Secrets stay out of the admin: django-otp's device pages show TOTP keys and recovery codes, and
# knox's token page is for its own (here swapped-out) model. Factors are reset with the action above.
for _model in (TOTPDevice, StaticDevice, KnoxAuthToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
