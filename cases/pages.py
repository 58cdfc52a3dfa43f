"""What every professional page shares: the professional-only decorator, pagination,
the form-page pattern, and the registry of the case page's sections.

The case page (cases.views.case_detail) shows the case and its team, then each
registered section in order: plans registers the plan and reviews, sharing its
records and consent (loaded with htmx), later floors their own. A section is
registered in its app's AppConfig.ready(), so a new floor never edits cases/.

Floor 4. May use: agencies, accountability, audit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from agencies.models import Professional
from agencies.selectors import professional_for
from cases.forms import apply_service_errors

if TYPE_CHECKING:
    from cases.selectors import CaseAccess

PAGE_SIZE = 25


View = Callable[..., HttpResponse]


def professional_required(view: View) -> View:
    """Signed in (else to the sign-in page) and a professional (else 403).

    Pages inside a case or about a person use plain login_required instead: for
    anyone who is not a professional on it, the selectors answer 404, so a case's
    existence never leaks."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if professional_for(request.user) is None:
            raise PermissionDenied("These pages are for professionals.")
        return view(request, *args, **kwargs)

    return wrapped


def me(request: HttpRequest) -> Professional:
    professional = professional_for(request.user)
    if professional is None:
        raise PermissionDenied("These pages are for professionals.")
    return professional


def paginate(request: HttpRequest, items: Any) -> tuple[Page, list[Any], str]:
    """The requested page (out-of-range or junk page numbers fall back), its
    elided page range and the query string without `page` for the links."""
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, list(paginator.get_elided_page_range(page.number)), params.urlencode()


def form_page(
    request: HttpRequest,
    *,
    template: str,
    form: Any,
    access: Any,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service; a service refusal is
    shown inline with the input kept."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("cases:case_detail", case_id=access.case.id)
    return render(request, template, {"form": form, "case": access.case, **(extra or {})})


@dataclass(frozen=True)
class CaseSection:
    """One section of the case page: `render(request, access)` returns its HTML."""

    name: str
    order: int
    render: Callable[[HttpRequest, CaseAccess], str]


_case_sections: dict[str, CaseSection] = {}


def register_case_section(section: CaseSection) -> None:
    """Called from an AppConfig.ready(); registering the same name again replaces it."""
    _case_sections[section.name] = section


def case_sections() -> list[CaseSection]:
    return sorted(_case_sections.values(), key=lambda s: (s.order, s.name))


# --- Links built once per page ------------------------------------------------------

_SENTINEL = "00000000-0000-0000-0000-00000000a11d"


class LinkTo:
    """Links of one URL name that takes one id, for a page that lists many rows:
    `reverse` once with a stand-in id, then the id put in its place, so a table of
    fifty rows does not resolve the URL fifty times (`{% url %}` in a loop does)."""

    def __init__(self, name: str) -> None:
        self._pattern = reverse(name, args=[_SENTINEL])

    def __call__(self, pk: Any) -> str:
        return self._pattern.replace(_SENTINEL, str(pk))
