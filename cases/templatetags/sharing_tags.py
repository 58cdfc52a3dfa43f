"""`{% case_sharing_sections %}`: the records, consent grid and override banner of the
case page. Reads through cases.selectors (which call cases.sharing); the records shown
are audited like any other list read."""

from __future__ import annotations

from typing import Any

from django import template

from cases import selectors

register = template.Library()

CASE_PAGE_RECORDS = 5


@register.inclusion_tag("cases/sharing/_case_sections.html", takes_context=True)
def case_sharing_sections(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    access = context["access"]
    case = access.case
    records = list(selectors.record_list_visible_to(user=request.user, case=case)[:CASE_PAGE_RECORDS])
    selectors.record_reads_audit(user=request.user, records=records, action="cases.record.listed", request=request)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "access": access,
        "records": records,
        "grids": selectors.consent_grid(case=case),
        "overrides": list(selectors.overrides_active_for(user=request.user, case=case)),
    }
