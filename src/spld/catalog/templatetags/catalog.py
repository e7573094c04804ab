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


@register.inclusion_tag("catalog/includes/org_datasets.html")
def org_datasets(organization: object) -> dict[str, object]:
    """The published datasets of an organisation (for its public page)."""
    from spld.catalog.selectors import datasets_of

    return {"organization": organization,
            "datasets": list(datasets_of(organization).order_by("title")[:100])}


@register.inclusion_tag("catalog/includes/maintained_datasets.html", takes_context=True)
def maintained_datasets(context: dict[str, object], organization: object) -> dict[str, object]:
    """An organisation's datasets with their update links, for the people who publish them."""
    from spld.catalog.selectors import datasets_to_maintain
    from spld.core.permissions import has_perm

    allowed = has_perm(context.get("user"), "catalog.publish", organization)
    return {"organization": organization,
            "datasets": datasets_to_maintain(organization) if allowed else []}
