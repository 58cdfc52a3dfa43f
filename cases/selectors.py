"""Every read of cases/, already filtered for the viewer through cases.visibility.

`get_case_for` is the gate for everything inside a case: 404 when the case is
not visible (so its existence does not leak), 403 when visible but the action
is not allowed. Reading a person's details audits itself here.

Floor 4. May use: accountability, agencies, audit.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, TextField, UUIDField
from django.http import Http404
from django.utils import timezone

from agencies.models import Professional
from agencies.prepared import PreparedQuery, bind
from agencies.selectors import is_admin, professional_for
from audit.reads import AuditedRead
from audit.services import audit_record, audit_record_many
from cases import visibility
from cases.models import (
    Case,
    CaseStatus,
    CaseUserObjectPermission,
    Household,
    Person,
    ProxyAccess,
    ProxyScope,
    Relationship,
    Role,
    RoleAssignment,
)
from cases.sql import RowSQL

VIEW = "view"


CONTRIBUTE = "contribute"


MANAGE = "manage"


@dataclass
class CaseAccess:
    """A visible case and what the viewer may do with it (computed once per request)."""

    case: Case
    professional: Professional
    perms: set[str] = field(default_factory=set)

    @property
    def can_contribute(self) -> bool:
        return CONTRIBUTE in self.perms

    @property
    def can_manage(self) -> bool:
        return MANAGE in self.perms


def parse_uuid(value: Any) -> uuid.UUID:
    """A malformed id is just another id the caller cannot see: 404."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404("Not found") from None


class _Granted(RowSQL):
    """True where the user holds the django-guardian object permission `codename` on the outer
    case (read from the direct foreign-key table; case permissions are only ever granted to
    users, by the assignment service, never to groups). Hand-written as cases.sql explains: the
    gate runs at every case-scoped request."""

    conditional = True

    def __init__(self, *, user_id: Any, codename: str, alias: str | None = None) -> None:
        super().__init__(model=Case, output_field=BooleanField(), alias=alias)
        self.user_id = user_id
        self.codename = codename

    def key(self) -> tuple[Any, ...]:
        return (self.user_id, self.codename)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        q = connection.ops.quote_name
        perms = q(CaseUserObjectPermission._meta.db_table)
        permission = q(Permission._meta.db_table)
        sql = (
            f"EXISTS (SELECT 1 FROM {perms} gp INNER JOIN {permission} ga ON ga.{q('id')} = gp.{q('permission_id')} "  # noqa: S608
            f"WHERE gp.{q('content_object_id')} = {self.outer(compiler)}.{q('id')} "
            f"AND gp.{q('user_id')} = %s AND ga.{q('codename')} = %s)"
        )
        return sql, (bind(self.user_id, _USER_ID, connection), self.codename)


_USER_ID = IntegerField()  # for its get_db_prep_value only (auth users' ids are integers)


def _gate(*, case: Any, me: Any, user: Any) -> QuerySet[Case]:
    """The case, if the professional `me` may see it, annotated with how (is_member,
    leads_member) and with the user's case permissions: visibility.case_with_access with the
    permissions loaded in the same query."""
    granted = {
        "may_contribute": _Granted(user_id=user, codename="contribute_case"),
        "may_manage": _Granted(user_id=user, codename="manage_case"),
    }
    return visibility.case_access_query(case_id=case, professional_id=me, annotations=granted)[:1]


# Every case-scoped request passes the gate: compiled once (agencies.prepared).
_GATE = PreparedQuery(_gate, case=UUIDField(), me=UUIDField(), user=IntegerField())


def _perms_for(case: Case) -> set[str]:
    perms = {VIEW}
    if case.status != CaseStatus.OPEN:
        return perms
    # annotations from get_case_for
    if getattr(case, "may_contribute", False):
        perms.add(CONTRIBUTE)
    if getattr(case, "may_manage", False) or getattr(case, "leads_member", False):
        perms |= {CONTRIBUTE, MANAGE}
    return perms


def get_case_for(*, user: Any, case_id: Any, perm: str = VIEW, request: Any = None) -> CaseAccess:
    """The case with the viewer's permissions; Http404 if not visible, PermissionDenied if
    visible but `perm` is not held. Refused access to an existing case is audited.
    One query: visibility and permissions are annotations on the case row."""
    pk = parse_uuid(case_id)
    professional = professional_for(user)
    case = None
    if professional is not None:
        found = _GATE.objects(case=pk, me=professional.pk, user=user.pk)
        case = found[0] if found else None
        if case is not None:
            visibility.mark_checked(case, professional)
    if case is None or professional is None:
        if Case.objects.filter(pk=pk).exists():
            audit_record(action="cases.case.access_refused", actor=user, request=request, case=pk)
        raise Http404("Not found")
    access = CaseAccess(case=case, professional=professional, perms=_perms_for(case))
    if perm not in access.perms:
        raise PermissionDenied("You can see this case but not do that.")
    return access


def case_list_visible_to(
    *, user: Any, status: str | None = None, query: str = "", with_related: bool = True
) -> QuerySet[Case]:
    """The viewer's cases. With `with_related` the lead professional and people are
    loaded as objects (pages); without, the bare cases (`case_list_rows` builds on it)."""
    qs = visibility.cases_visible_to(professional_for(user))
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(reference__icontains=query))
    if not with_related:
        return qs
    return qs.select_related("lead_professional__agency").prefetch_related(
        Prefetch("people", queryset=Person.objects.order_by("family_name", "given_name"))
    )


CASE_LIST_FIELDS = (
    "id",
    "reference",
    "title",
    "plain_title",
    "status",
    "lead_professional_id",
    "opened_at",
    "closed_at",
    "closure_reason",
)


class CasePeopleCsv(RowSQL):
    """The ids of the people the outer case row is about, comma-joined (unordered):
    a correlated aggregate over the link table, which PostgreSQL evaluates only for
    the rows of the page it returns."""

    def __init__(self, alias: str | None = None) -> None:
        super().__init__(model=Case, output_field=TextField(), alias=alias)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        q = connection.ops.quote_name
        link = q(Case.people.through._meta.db_table)
        joined = "string_agg(cp.{0}::text, ',')" if connection.vendor == "postgresql" else "group_concat(cp.{0}, ',')"
        aggregate = joined.format(q("person_id"))
        sql = f"(SELECT {aggregate} FROM {link} cp WHERE cp.{q('case_id')} = {self.outer(compiler)}.{q('id')})"  # noqa: S608
        return sql, ()


def case_list_rows(*, user: Any, status: str | None = None, query: str = "") -> QuerySet[Case, dict[str, Any]]:
    """The API list: the viewer's cases as plain rows (`CASE_LIST_FIELDS` plus
    `people_csv`, see `split_ids`), newest first, in one query with no model instances."""
    return (
        case_list_visible_to(user=user, status=status, query=query, with_related=False)
        .annotate(people_csv=CasePeopleCsv())
        .order_by("-opened_at", "id")
        .values(*CASE_LIST_FIELDS, "people_csv")
    )


def case_list_count(*, user: Any, status: str | None = None, query: str = "") -> int | None:
    """How many cases `case_list_rows` lists with these filters, counted without reading
    cases when there are none; None when filtered (count the filtered rows instead)."""
    if status in CaseStatus.values or query:
        return None
    return visibility.visible_case_count(professional_for(user))


def split_ids(csv: str | None) -> list[uuid.UUID]:
    """`case_list_rows`' people column as UUIDs in order (SQLite aggregates the 32-digit hex form)."""
    return sorted(uuid.UUID(part) for part in csv.split(",")) if csv else []


def case_team(*, case: Case, include_ended: bool = False) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.filter(case=case).select_related("professional__agency", "professional__team")
    if not include_ended:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "role", "professional__family_name")


# The case page reads these at every visit: compiled once (agencies.prepared).
_CASE_PEOPLE = PreparedQuery(lambda *, case: Person.objects.filter(cases=case), case=UUIDField())
_CASE_TEAM = PreparedQuery(lambda *, case: case_team(case=case), case=UUIDField())


def case_people(*, case: Case) -> list[Person]:
    """The case's people, by name (`case.people.all()`, one query)."""
    return _CASE_PEOPLE.objects(case=case.pk)


def case_team_list(*, case: Case) -> list[RoleAssignment]:
    """The active case team as `case_team` orders it, with each professional's agency and team."""
    return _CASE_TEAM.objects(case=case.pk)


def is_on_case_team(*, case: Case, professional: Professional) -> bool:
    return RoleAssignment.objects.filter(case=case, professional=professional, ended_on__isnull=True).exists()


def is_on_a_case_team_of(*, person: Person, professional: Professional) -> bool:
    """Whether the professional holds an active role on one of the person's cases."""
    return RoleAssignment.objects.filter(case__people=person, professional=professional, ended_on__isnull=True).exists()


def on_a_case_visible_to(professional: Professional) -> Exists:
    """True where the outer person is on a case the professional may see."""
    links = Case.people.through
    visible = visibility.CaseVisible(professional_id=professional.pk, model=links, column="case_id")
    return Exists(links.objects.filter(visible, person_id=OuterRef("pk")))


def person_list_visible_to(*, user: Any) -> QuerySet[Person]:
    """People I registered, and the people of cases I can see."""
    professional = professional_for(user)
    if professional is None:
        return Person.objects.none()
    return Person.objects.filter(Q(registered_by=professional) | on_a_case_visible_to(professional))


def person_get_for(*, user: Any, person_id: Any) -> Person:
    pk = parse_uuid(person_id)
    person = person_list_visible_to(user=user).filter(pk=pk).first()
    if person is None:
        raise Http404("Not found")
    return person


def person_can_manage_portal(*, user: Any, person: Person) -> bool:
    """The lead professional of one of the person's open cases, or an admin."""
    return person.pk in people_portal_manageable_ids(user=user, people=[person])


def people_portal_manageable_ids(*, user: Any, people: Iterable[Person]) -> set[Any]:
    """The ids of those of `people` whose portal the user may manage (the rule of
    `person_can_manage_portal`), in one query at most: for a list of people, as the family
    page shows them."""
    ids = {p.pk for p in people}
    if not ids:
        return set()
    if is_admin(user):
        return ids
    professional = professional_for(user)
    if professional is None:
        return set()
    return set(
        Case.people.through.objects.filter(
            person_id__in=ids, case__lead_professional=professional, case__status=CaseStatus.OPEN
        ).values_list("person_id", flat=True)
    )


def role_choices_for_form() -> list[tuple[str, str]]:
    return list(Role.choices)


def person_for(user: Any) -> Person | None:
    """The person whose portal account this user is, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def person_get_for_portal_account(*, user: Any, person_id: Any) -> Person:
    """The person whose portal login the user wants to create: admins may address anyone;
    others 404 when the person is not visible to them, 403 unless they lead one of
    the person's open cases."""
    if is_admin(user):
        person = Person.objects.filter(pk=parse_uuid(person_id)).first()
        if person is None:
            raise Http404("Not found")
        return person
    person = person_get_for(user=user, person_id=person_id)
    if not person_can_manage_portal(user=user, person=person):
        raise PermissionDenied("Only the lead professional of the person's case or an admin can do this.")
    return person


def case_team_professionals(*, case: Case) -> QuerySet[Professional]:
    """Professionals actively on the case team (who may be made accountable)."""
    on_team = RoleAssignment.objects.filter(case=case, professional=OuterRef("pk"), ended_on__isnull=True)
    return Professional.objects.filter(Exists(on_team)).select_related("agency").order_by("family_name", "given_name")


def assignment_get_in_case(*, case: Case, assignment_id: Any) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.filter(case=case, pk=parse_uuid(assignment_id))
        .select_related("professional__agency", "case")
        .first()
    )
    if assignment is None:
        raise Http404("Not found")
    return assignment


def person_search_visible_to(*, user: Any, query: str = "") -> QuerySet[Person]:
    """The people I may see whose names match every word of `query` (for choosing
    people in a form; a list shown as such is `person_list_read`)."""
    qs = person_list_visible_to(user=user)
    for word in query.split()[:5]:
        qs = qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return qs.order_by("family_name", "given_name", "id")


def person_list_read(*, user: Any, query: str = "", request: Any = None) -> AuditedRead[Person]:
    """The people list (page and API): as `person_search_visible_to`, and every person
    read is audited as `cases.person.listed`, in one INSERT per page."""

    def audit(people: list[Person]) -> None:
        audit_record_many(
            (
                {"action": "cases.person.listed", "person": p.pk, "subject_type": "person", "subject_id": p.pk}
                for p in people
            ),
            actor=user,
            request=request,
        )

    return AuditedRead(person_search_visible_to(user=user, query=query), audit)


def person_read(*, user: Any, person_id: Any, request: Any = None) -> Person:
    """A person's page: visible as for `person_get_for`, and every read is audited."""
    person = person_get_for(user=user, person_id=person_id)
    audit_record(
        action="cases.person.viewed",
        actor=user,
        request=request,
        person=person.id,
        subject_type="person",
        subject_id=person.id,
    )
    return person


def person_cases_visible_to(*, user: Any, person: Person) -> QuerySet[Case]:
    """The person's cases that the viewer may see."""
    return (
        visibility.cases_visible_to(professional_for(user))
        .filter(people=person)
        .select_related("lead_professional__agency")
        .order_by("-opened_at")
    )


# --- Families: households and relationships -------------------------------------------


def household_list_visible_to(*, user: Any) -> QuerySet[Household]:
    """Households with at least one member the viewer may see (the same rule as people);
    `visible_members` lists only those members."""
    people = person_list_visible_to(user=user)
    return (
        Household.objects.filter(members__in=people)
        .distinct()
        .prefetch_related(
            Prefetch("members", queryset=people.order_by("family_name", "given_name"), to_attr="visible_members")
        )
        .order_by("name", "id")
    )


def household_list_read(*, user: Any, request: Any = None) -> AuditedRead[Household]:
    """The households list (API): every member shown is a person read, audited as
    `cases.household.listed`, one event per member per page."""

    def audit(households: list[Household]) -> None:
        audit_record_many(
            (
                {"action": "cases.household.listed", "person": p.pk, "subject_type": "household", "subject_id": h.pk}
                for h in households
                for p in h.visible_members  # type: ignore[attr-defined]
            ),
            actor=user,
            request=request,
        )

    return AuditedRead(household_list_visible_to(user=user), audit)


def relationship_list_read(*, user: Any, person: Person, request: Any = None) -> AuditedRead[Relationship]:
    """The person's relationships (either way round) with people the viewer may also see;
    the caller passed the person through `person_get_for`. Audited as
    `cases.relationship.listed` for the person and each relative shown."""
    visible = person_list_visible_to(user=user)
    qs = (
        Relationship.objects.filter(Q(person=person, to__in=visible) | Q(to=person, person__in=visible))
        .select_related("person", "to")
        .order_by("created_at", "id")
    )

    def audit(rows: list[Relationship]) -> None:
        ids = {person.pk} | {r.person_id for r in rows} | {r.to_id for r in rows}
        audit_record_many(
            (
                {"action": "cases.relationship.listed", "person": pk, "subject_type": "person", "subject_id": person.pk}
                for pk in ids
            ),
            actor=user,
            request=request,
        )

    return AuditedRead(qs, audit)


@dataclass
class FamilyMember:
    person: Person
    relationships: list[Relationship]
    households: list[Household]
    proxies: list[ProxyAccess]


def case_family(*, user: Any, case: Case, request: Any = None) -> list[FamilyMember]:
    """The case page's family: each person of the case with their relationships (to
    people the viewer may see), households and portal proxies. The case was checked by
    `get_case_for`; the read is audited, in one INSERT, as `cases.relationship.listed` for
    each person of the case and each relative shown who is not on it, `cases.household.listed`
    for each other member shown of their households, and `cases.proxy.listed` for each other
    person shown as having portal access: everyone the page names."""
    people = list(case.people.select_related("user").order_by("family_name", "given_name"))
    visible = person_list_visible_to(user=user)
    ids = [p.pk for p in people]
    rels = list(
        Relationship.objects.filter(Q(person__in=ids, to__in=visible) | Q(to__in=ids, person__in=visible))
        .select_related("person", "to")
        .order_by("created_at")
    )
    # Each household with only the members the viewer may see (`visible_members`).
    households = list(
        Household.objects.filter(members__in=ids)
        .distinct()
        .prefetch_related(
            Prefetch("members", queryset=visible.order_by("family_name", "given_name"), to_attr="visible_members")
        )
        .order_by("name", "id")
    )
    proxies = list(
        ProxyAccess.objects.filter(person__in=ids, ended_at__isnull=True)
        .select_related("proxy_user__person", "relationship")
        .order_by("created_at")
    )
    shown: dict[Any, tuple[str, str, Any]] = {p.pk: ("cases.relationship.listed", "case", case.pk) for p in people}
    for r in rels:
        for pk in (r.person_id, r.to_id):
            shown.setdefault(pk, ("cases.relationship.listed", "case", case.pk))
    for h in households:
        for m in h.visible_members:  # type: ignore[attr-defined]
            shown.setdefault(m.pk, ("cases.household.listed", "household", h.pk))
    for x in proxies:
        proxy_person = getattr(x.proxy_user, "person", None)
        if proxy_person is not None:
            shown.setdefault(proxy_person.pk, ("cases.proxy.listed", "person", x.person_id))
    audit_record_many(
        (
            {
                "action": action,
                "person": pk,
                "case": case.pk,
                "subject_type": subject_type,
                "subject_id": subject_id,
            }
            for pk, (action, subject_type, subject_id) in shown.items()
        ),
        actor=user,
        request=request,
    )
    return [
        FamilyMember(
            person=p,
            relationships=[r for r in rels if p.pk in (r.person_id, r.to_id)],
            households=[h for h in households if any(m.pk == p.pk for m in h.visible_members)],  # type: ignore[attr-defined]
            proxies=[x for x in proxies if x.person_id == p.pk],
        )
        for p in people
    ]


def family_households(family: list[FamilyMember]) -> list[Household]:
    """The households of a `case_family`, each once, in name order."""
    seen: dict[Any, Household] = {}
    for member in family:
        for household in member.households:
            seen.setdefault(household.pk, household)
    return sorted(seen.values(), key=lambda h: (h.name, str(h.pk)))


def household_get_for_case(*, user: Any, case: Case, household_id: Any, request: Any = None) -> Household:
    """A household where one of the case's people lives, with `visible_members` (the
    members the viewer may see); 404 otherwise. The case was checked by `get_case_for`;
    the read is audited as `cases.household.viewed` for each member shown."""
    pk = parse_uuid(household_id)
    visible = person_list_visible_to(user=user)
    household = (
        Household.objects.filter(pk=pk, members__in=case.people.all())
        .distinct()
        .prefetch_related(
            Prefetch("members", queryset=visible.order_by("family_name", "given_name"), to_attr="visible_members")
        )
        .first()
    )
    if household is None:
        raise Http404("Not found")
    audit_record_many(
        (
            {
                "action": "cases.household.viewed",
                "person": p.pk,
                "case": case.pk,
                "subject_type": "household",
                "subject_id": household.pk,
            }
            for p in household.visible_members  # type: ignore[attr-defined]
        ),
        actor=user,
        request=request,
    )
    return household


def relationship_get_for_case(*, user: Any, case: Case, relationship_id: Any, request: Any = None) -> Relationship:
    """A relationship of one of the case's people with someone the viewer may also see
    (as the family list shows it); 404 otherwise. Audited as `cases.relationship.viewed`
    for both people."""
    pk = parse_uuid(relationship_id)
    visible = person_list_visible_to(user=user)
    people = case.people.all()
    rel = (
        Relationship.objects.filter(pk=pk, person__in=visible, to__in=visible)
        .filter(Q(person__in=people) | Q(to__in=people))
        .select_related("person", "to")
        .first()
    )
    if rel is None:
        raise Http404("Not found")
    audit_record_many(
        (
            {
                "action": "cases.relationship.viewed",
                "person": person_pk,
                "case": case.pk,
                "subject_type": "relationship",
                "subject_id": rel.pk,
            }
            for person_pk in (rel.person_id, rel.to_id)
        ),
        actor=user,
        request=request,
    )
    return rel


# --- Proxy access --------------------------------------------------------------------


def age_on(date_of_birth: datetime.date | None, day: datetime.date) -> int | None:
    if date_of_birth is None:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def sixteenth_birthday(date_of_birth: datetime.date) -> datetime.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + 16)
    except ValueError:  # 29 February
        return date_of_birth.replace(year=date_of_birth.year + 16, day=28)


def proxy_in_force(proxy: ProxyAccess, today: datetime.date | None = None) -> bool:
    """Not ended, not frozen, not past its end date, and, from the person's 16th birthday,
    only if the young person agreed on or after it (a renewal)."""
    today = today or timezone.localdate()
    if proxy.ended_at is not None or proxy.frozen_at is not None or proxy.valid_until < today:
        return False
    dob = proxy.person.date_of_birth
    if dob is not None and sixteenth_birthday(dob) <= today:
        return bool(proxy.child_agreed and proxy.child_agreed_on and proxy.child_agreed_on >= sixteenth_birthday(dob))
    return True


def proxies_in_force_for(*, user: Any) -> list[ProxyAccess]:
    """The proxy accesses this portal account holds that are in force now (checked at
    every request: a freeze or an end date applies at once)."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = (
        ProxyAccess.objects.filter(proxy_user=user, ended_at__isnull=True, frozen_at__isnull=True)
        .select_related("person", "relationship")
        .order_by("person__given_name", "created_at")
    )
    today = timezone.localdate()
    found: dict[Any, ProxyAccess] = {}
    for proxy in rows:
        if proxy_in_force(proxy, today) and proxy.person_id not in found:
            found[proxy.person_id] = proxy
    return list(found.values())


def proxy_for(*, user: Any, person_id: Any) -> ProxyAccess | None:
    pk = parse_uuid(person_id)
    return next((p for p in proxies_in_force_for(user=user) if p.person_id == pk), None)


def proxy_may_record_consent(*, user: Any, person: Person) -> bool:
    """A proxy in force with the consents scope whose relationship carries parental
    responsibility (DESIGN, Information sharing: "someone with parental responsibility
    through the portal")."""
    proxy = proxy_for(user=user, person_id=person.pk)
    return bool(
        proxy is not None and proxy.scope == ProxyScope.PLAN_AND_CONSENTS and proxy.relationship.parental_responsibility
    )


def proxy_list_for(*, person: Person) -> QuerySet[ProxyAccess]:
    """Every proxy link of the person, newest first (the caller may manage the portal)."""
    return (
        ProxyAccess.objects.filter(person=person).select_related("proxy_user", "relationship").order_by("-created_at")
    )


def proxy_list_read(*, user: Any, person: Person, request: Any = None) -> AuditedRead[ProxyAccess]:
    """The person's proxy links (API list), audited as `cases.proxy.listed`."""

    def audit(rows: list[ProxyAccess]) -> None:
        audit_record(
            action="cases.proxy.listed",
            actor=user,
            request=request,
            person=person.pk,
            subject_type="person",
            subject_id=person.pk,
            detail={"proxies": len(rows)},
        )

    return AuditedRead(proxy_list_for(person=person), audit)


def proxy_get_for(*, person: Person, proxy_id: Any) -> ProxyAccess:
    proxy = proxy_list_for(person=person).filter(pk=parse_uuid(proxy_id)).first()
    if proxy is None:
        raise Http404("Not found")
    return proxy
