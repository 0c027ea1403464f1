"""Template helpers of information disclosure: money in yuan, QR codes as inline SVG."""

from __future__ import annotations

import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

from gongzhi.disclosure.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return _yuan(fen)


@register.simple_tag
def qr_svg(url: str, label: str = "", scale: int = 4) -> SafeString:
    """A QR code of ``url`` as inline SVG (segno: pure Python, no image files to serve)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=scale, title=label or url, svgclass="qr", lineclass=None, omitsize=True
    )
    svg = svg.replace("<svg ", '<svg role="img" ', 1)  # read out by its <title>
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the URL and title are escaped by it
