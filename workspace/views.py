"""The professional's front door: My work and the team page (sign-in: workspace.signin).

My work lists every registered kind of due item (accountability's registry), so
a new kind of work appears here without editing this floor.

Floor 6 (top). May use every floor below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accountability.registry import WorkItem
from accountability.selectors import coordinated_items_for, work_items_for
from agencies.selectors import leads_a_team, professional_for
from cases.models import Role
from cases.pages import LinkTo, me, professional_required
from plans.selectors import due_tag
from plans.views import ItemRow
from workspace import selectors


@dataclass(frozen=True)
class CaseRow:
    """One of my cases as My work lists it."""

    title: str
    reference: str
    link: str
    my_role: str


def with_case_links(items: Iterable[WorkItem]) -> list[WorkItem]:
    """Work items with the link to their case, for the tables of workspace/_work_items.html."""
    case_link = LinkTo("cases:case_detail")
    return [replace(item, case_link=case_link(item.case_id)) for item in items]


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    professional = professional_for(request.user)
    if professional is None:
        if hasattr(request.user, "person"):
            return redirect("portal:home")
        if request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("These pages are for professionals.")
    items = with_case_links(work_items_for(professional=professional))
    counts = {tag: sum(1 for i in items if i.tag == tag) for tag in ("overdue", "due_soon", "later")}
    role_labels = dict(Role.choices)
    case_link = LinkTo("cases:case_detail")
    cases = [
        CaseRow(title, reference, case_link(pk), role_labels.get(role or "", ""))
        for pk, title, reference, role in selectors.my_cases(professional=professional)
    ]
    on_my_cases = with_case_links(coordinated_items_for(professional=professional))
    return render(
        request,
        "workspace/my_work.html",
        {
            "items": items,
            "counts": counts,
            "cases": cases,
            "on_my_cases": on_my_cases,
            "on_my_cases_overdue": sum(1 for i in on_my_cases if i.tag == "overdue"),
        },
    )


@professional_required
def team(request: HttpRequest) -> HttpResponse:
    lead = me(request)
    if not leads_a_team(professional=lead):
        raise PermissionDenied("The team page is for team leads.")
    today = timezone.localdate()
    due = [ItemRow(m, due_tag(m.due_date, today)) for m in selectors.team_due_items(lead=lead)]
    # Items on the cases I coordinate (as the case's team lead or lead professional), whoever's team holds them.
    mine = {row.item.id for row in due}
    coordinated = with_case_links(i for i in coordinated_items_for(professional=lead) if i.id not in mine)
    overdue = sum(1 for row in due if row.tag == "overdue") + sum(1 for i in coordinated if i.tag == "overdue")
    return render(
        request,
        "workspace/team.html",
        {
            "members": list(selectors.team_caseload(lead=lead)),
            "due_items": due,
            "coordinated": coordinated,
            "overdue_count": overdue,
        },
    )


@professional_required
def team_member(request: HttpRequest, member_id: str) -> HttpResponse:
    """One member's items, as their My work lists them, for the lead of their team (404 for
    anyone else); items on a case the lead may not see are left out."""
    lead = me(request)
    if not leads_a_team(professional=lead):
        raise PermissionDenied("The team page is for team leads.")
    member = selectors.team_member_for(lead=lead, member_id=member_id)
    items = work_items_for(professional=member)
    visible = selectors.visible_case_ids(lead=lead, case_ids={i.case_id for i in items})
    items = with_case_links(i for i in items if i.case_id in visible)
    counts = {tag: sum(1 for i in items if i.tag == tag) for tag in ("overdue", "due_soon", "later")}
    return render(request, "workspace/team_member.html", {"member": member, "items": items, "counts": counts})
