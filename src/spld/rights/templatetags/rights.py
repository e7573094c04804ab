"""Template filters of the rights app: vocabulary codes shown as the labels a person reads."""

from __future__ import annotations

from django import template

from spld.rights import presentation

register = template.Library()


@register.filter
def dpv_labels(codes: list[str] | None) -> str:
    """« dpv-pd:EmailAddress, dpv-pd:TravelHistory » → « Adresse électronique, … »."""
    return presentation.terms_label(list(codes or []))


@register.filter
def record_type_label(record_type: str) -> str:
    """What a staff member read, in words."""
    return presentation.record_type_label(record_type)
