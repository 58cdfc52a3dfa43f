"""The sharing policy: the one place that decides who sees what.

Pages, API, search, exports and notifications read through selectors that
call this module; nothing else filters cases or records by itself.

Case visibility: a professional sees a case when they hold an active role
assignment on it, or lead a team one of whose members holds one. Everyone else
sees nothing of the case (404). Evaluated in the database as an indexed
`Exists` predicate at every read, so nothing can go stale.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.models import Professional
from cases.models import Case, RoleAssignment


def active_assignments() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(ended_on__isnull=True)


def is_member_expr(professional: Professional) -> Exists:
    """True where the professional holds an active assignment on the case."""
    return Exists(active_assignments().filter(case=OuterRef("pk"), professional=professional))


def leads_member_expr(professional: Professional) -> Exists:
    """True where the professional leads the team of someone actively on the case."""
    return Exists(active_assignments().filter(case=OuterRef("pk"), professional__team__lead=professional))


def professionals_seen_through(professional: Professional) -> QuerySet[Professional]:
    """The professional and the members of every team they lead: whose cases they see."""
    return Professional.objects.filter(Q(pk=professional.pk) | Q(team__lead=professional)).values("pk")


def visible_case_ids(professional: Professional) -> QuerySet[RoleAssignment]:
    """Ids of the cases the professional may see, driven from their own assignments so the
    cost grows with their caseload, not with the number of cases in the deployment."""
    return active_assignments().filter(professional__in=professionals_seen_through(professional)).values("case_id")


def cases_visible_to(professional: Professional | None) -> QuerySet[Case]:
    """Every case the professional may see."""
    if professional is None:
        return Case.objects.none()
    return Case.objects.filter(pk__in=visible_case_ids(professional))


def case_with_access(professional: Professional | None, case_id: object) -> Case | None:
    """The case if visible, annotated with how: `is_member` (on the team) and
    `leads_member` (leads the team of someone on it); None when not visible."""
    if professional is None:
        return None
    return (
        Case.objects.filter(pk=case_id)
        .annotate(is_member=is_member_expr(professional), leads_member=leads_member_expr(professional))
        .filter(Q(is_member=True) | Q(leads_member=True))
        .select_related("lead_professional__agency")
        .first()
    )
