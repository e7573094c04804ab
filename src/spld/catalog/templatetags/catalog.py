import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

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


# Table Schema type names, as a person reads them (the codes stay in the API and DCAT).
TYPE_LABELS = {
    "string": _("texte"), "integer": _("nombre entier"),
    "number": _("nombre décimal"), "boolean": _("oui/non"), "date": _("date"),
    "datetime": _("date et heure"), "time": _("heure"), "year": _("année"),
    "geojson": _("géométrie (GeoJSON)"), "any": _("quelconque"),
}
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


@register.filter
def type_label(kind: str) -> str:
    """"integer" → "nombre entier" (English: "whole number")."""
    return str(TYPE_LABELS.get(kind, kind))


@register.filter
def cell(value: Any, kind: str = "") -> str:
    """A data value as a person reads it in the page's language: booleans as yes/no,
    decimals with the local separator, timestamps without the ISO "T"; codes untouched."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return formats.number_format(value)
    text = str(value)
    if kind == "number":
        try:
            return formats.number_format(float(text))
        except ValueError:
            return text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return cell(text.lower() == "true")
    if _ISO_DATETIME.match(text):
        try:
            return formats.date_format(dt.datetime.fromisoformat(text), "SHORT_DATETIME_FORMAT")
        except ValueError:
            return text
    return text


@register.inclusion_tag("catalog/includes/maintained_datasets.html", takes_context=True)
def maintained_datasets(context: dict[str, object], organization: object) -> dict[str, object]:
    """An organisation's datasets with their update links, for the people who publish them."""
    from spld.catalog.selectors import datasets_to_maintain
    from spld.core.permissions import has_perm

    allowed = has_perm(context.get("user"), "catalog.publish", organization)
    return {"organization": organization,
            "datasets": datasets_to_maintain(organization) if allowed else []}
