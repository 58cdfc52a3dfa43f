"""`{% plain_words_check form.plain_summary %}`: beside a plain-words field (a plain
summary, a plain title), its reading age and any glossary jargon, checked again as the
professional types (htmx asks cases:plain_words with the field's value)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from cases import plainwords

register = template.Library()


@register.simple_tag
def plain_words_check(field: Any) -> SafeString:
    value = str(field.value() or "")
    inner = render_to_string(
        "cases/includes/plain_words.html", {"check": plainwords.check(value) if value.strip() else None}
    )
    field_id = field.auto_id
    url = reverse("cases:plain_words")
    wrapper = (
        f'<div hx-get="{url}" hx-trigger="keyup changed delay:600ms from:#{field_id}" '
        f'hx-include="#{field_id}" hx-swap="innerHTML">{inner}</div>'
    )
    return mark_safe(wrapper)  # noqa: S308 - our template, an id and a reversed URL
