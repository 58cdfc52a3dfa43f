"""The professional's front door: sign-in, My work and the team page.

My work lists every registered kind of due item (accountability's registry), so
a new kind of work appears here without editing this floor.

Floor 6 (top). May use every floor below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accountability.selectors import coordinated_items_for, work_items_for
from agencies.selectors import leads_a_team, professional_for
from cases.models import Case, Role
from cases.pages import me, professional_required
from plans.selectors import due_tag
from plans.views import ItemRow
from workspace import selectors


@dataclass
class CaseRow:
    case: Case
    my_role: str


class SignInView(LoginView):
    """Django's sign-in; professionals land on My work, service users on their portal."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if professional_for(user) is None and hasattr(user, "person"):
            return reverse("portal:home")
        return reverse("workspace:my_work")


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    professional = professional_for(request.user)
    if professional is None:
        if hasattr(request.user, "person"):
            return redirect("portal:home")
        if request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("These pages are for professionals.")
    items = work_items_for(professional=professional)
    counts = {tag: sum(1 for i in items if i.tag == tag) for tag in ("overdue", "due_soon", "later")}
    role_labels = dict(Role.choices)
    cases = [
        CaseRow(case, role_labels.get(getattr(case, "my_role", ""), ""))
        for case in selectors.my_cases(professional=professional)
    ]
    on_my_cases = coordinated_items_for(professional=professional)
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
    coordinated = [i for i in coordinated_items_for(professional=lead) if i.id not in mine]
    overdue = sum(1 for row in due if row.tag == "overdue") + sum(1 for i in coordinated if i.tag == "overdue")
    return render(
        request,
        "workspace/team.html",
        {
            "members": list(selectors.team_overview(lead=lead)),
            "due_items": due,
            "coordinated": coordinated,
            "overdue_count": overdue,
        },
    )
