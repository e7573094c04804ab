"""Template tags of the transparency log."""

from typing import Any

from django import template

from spld.ledger import selectors

register = template.Library()


@register.simple_tag
def ledger_entry_index(subject: Any) -> int | None:
    """Index of the latest log entry about `subject` (one indexed query), or None."""
    return selectors.latest_subject_entry(subject)
