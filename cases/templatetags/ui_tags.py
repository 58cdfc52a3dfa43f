"""`{% status_tag tag %}`: the due-date tag of a milestone, review or other work item
(`tag` is overdue / due_soon / later / done / cancelled, computed by the selector). A
table row's tag costs a dictionary lookup instead of an `{% include %}`."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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
