"""`{% status_tag tag %}`: the due-date tag of a milestone, review or other work item
(`tag` is overdue / due_soon / later / done / cancelled, computed by the selector). A
table row's tag costs a dictionary lookup instead of an `{% include %}`.

`{% work_item_rows items accountable %}`: the rows of a table of work items
(workspace/_work_items.html), built in Python: the template language cost about 0.1 ms a row,
most of My work's time."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from html import escape
from typing import Any

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_TAGS: dict[str, SafeString] = {
    tag: format_html('<strong class="ju-tag ju-tag--{}">{}</strong>', css, label)
    for tag, css, label in [
        ("overdue", "overdue", "Overdue"),
        ("due_soon", "due-soon", "Due this week"),
        ("done", "done", "Done"),
        ("cancelled", "later", "Cancelled"),
        ("later", "later", "Later"),
    ]
}


@register.simple_tag
def status_tag(tag: str) -> SafeString:
    return _TAGS.get(tag, _TAGS["later"])


@functools.lru_cache(maxsize=4096)
def day_text(day: date, language: str | None) -> str:
    return str(date_format(day, "j M Y"))  # as the template's |date:"j M Y", in that language


@register.simple_tag
def work_item_rows(items: Iterable[Any], accountable: bool = False) -> SafeString:
    """One <tr> per work item (accountability.registry.WorkItem, with its case link): due date,
    item and its kind, [who answers for it,] case and its reference, status tag. Every value is
    escaped (html.escape, as Django's own escape)."""
    language = get_language()
    rows = []
    for item in items:
        who = f"<td>{escape(item.accountable_name)}</td>" if accountable else ""
        rows.append(
            f"<tr><td>{day_text(item.due, language)}</td>"
            f'<td><a href="{escape(item.link)}">{escape(item.title)}</a><br>'
            f'<span class="ju-secondary ju-small">{escape(item.kind_label)}</span></td>{who}'
            f'<td><a href="{escape(item.case_link)}">{escape(item.case_title)}</a><br>'
            f'<span class="ju-secondary ju-small">{escape(item.case_reference)}</span></td>'
            f"<td>{_TAGS.get(item.tag, _TAGS['later'])}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped
