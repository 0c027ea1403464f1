"""Covenant numbering in templates: ``{{ 3|article_number }}`` → 第三条,
``{{ 12|chinese_number }}`` → 十二."""

from __future__ import annotations

from django import template

from gongzhi.covenants import text

register = template.Library()


@register.filter
def article_number(position: int | None) -> str:
    return text.article_label(int(position)) if position else ""


@register.filter
def chinese_number(n: int | None) -> str:
    return text.chinese_number(int(n)) if n else ""
