from typing import Any

from django import template

from accountability.selectors import escalations_for_lead, notification_rows
from agencies.selectors import professional_for

register = template.Library()


@register.inclusion_tag("accountability/includes/team_escalations.html", takes_context=True)
def team_escalations(context: template.Context) -> dict[str, Any]:
    """The escalations sent to the signed-in team lead (for the Team page)."""
    request = context.get("request")
    professional = professional_for(getattr(request, "user", None))
    escalations = escalations_for_lead(professional=professional) if professional is not None else []
    rows = notification_rows(professional=professional, notifications=escalations) if professional else []
    return {"escalations": rows, "csrf_token": context.get("csrf_token")}
