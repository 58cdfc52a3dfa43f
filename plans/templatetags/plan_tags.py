"""`{% milestone_item mrow %}`: one milestone of the case page's plan (plans.views.ItemRow), written
in Python as ui_tags.work_item_rows writes work items: the template language cost about 0.1 ms per
milestone, most of the case page's time (decision 0083). The markup is the one
plans/_case_plan.html had; every value is escaped; the history (when there is some) still comes
from plans/_history.html."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from cases.templatetags.ui_tags import day_text, status_tag

register = template.Library()

# (action, the link's words, the words read out after them with the title)
_ACTIONS = (
    ("complete", "Mark complete", ": "),
    ("hand_over", "Hand over", " "),
    ("redate", "Change the date", " of "),
    ("edit", "Edit", " "),
    ("cancel", "Cancel", " "),
    ("reopen", "Reopen", " "),
    ("undo", "Undo “complete”", " of "),
)


@register.simple_tag
def milestone_item(mrow: Any) -> SafeString:
    m = mrow.item
    title = escape(m.title)
    who = m.accountable
    parts = [
        f'<li class="ju-item" id="milestone-{m.id}">'
        f'<div class="ju-item__head"><span class="ju-item__title">{title}</span> {status_tag(mrow.tag)}</div>'
        f'<div class="ju-item__meta">Due {day_text(m.due_date, get_language())} · Accountable: '
        f"{escape(who.full_name)} ({escape(who.agency.name)})</div>"
    ]
    if m.plain_summary:
        parts.append(
            f'<div class="ju-small"><span class="ju-secondary">For the person:</span> “{escape(m.plain_summary)}”</div>'
        )
    links = mrow.links
    if links:
        actions = []
        for action, words, joiner in _ACTIONS:
            href = links.get(action)
            if href:
                css = ' class="ju-button ju-button--small"' if action == "complete" else ""
                actions.append(
                    f'<a{css} href="{escape(href)}">{words}<span class="ju-visually-hidden">{joiner}{title}</span></a>'
                )
        parts.append(f'<div class="ju-item__actions">{"".join(actions)}</div>')
    if mrow.history:
        parts.append(render_to_string("plans/_history.html", {"lines": mrow.history, "label": m.title}))
    parts.append("</li>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
