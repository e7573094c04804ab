from django import template
from django.utils.safestring import SafeString, mark_safe

from spld.catalog.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render sanitised Markdown."""
    return mark_safe(render_markdown(text))  # noqa: S308  (nh3 sanitised it)


@register.filter
def svg(text: str) -> SafeString:
    """Mark a chart SVG generated server-side (no user markup inside) as safe."""
    return mark_safe(text)  # noqa: S308
