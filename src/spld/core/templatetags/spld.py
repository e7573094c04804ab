"""Template helpers shared by every page."""

from typing import Any

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context: dict[str, Any], language: str) -> str:
    """The current page's address in another language."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template."""
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], permission: str, obj: Any = None) -> bool:
    """`{% can "perm" obj as ok %}`: the same rule the view applies, so links match rights."""
    from spld.core.permissions import has_perm

    return has_perm(context.get("user"), permission, obj)
