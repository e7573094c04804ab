"""Template helpers shared by every page."""

from typing import Any

from django import template
from django.urls import translate_url
from django.utils import formats

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


@register.filter(name="de")
def de(name: object) -> str:
    """"de Brest métropole", "d’Eau du Ponant" in French; the name alone in English."""
    from spld.core.french import of

    return of(name)


@register.filter
def num(value: Any) -> str:
    """A count with the language's thousands separator: "1 200 000" (fr), "1,200,000" (en)."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, force_grouping=True)


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], permission: str, obj: Any = None) -> bool:
    """`{% can "perm" obj as ok %}`: the same rule the view applies, so links match rights."""
    from spld.core.permissions import has_perm

    return has_perm(context.get("user"), permission, obj)
