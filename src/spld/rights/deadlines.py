"""Deadline arithmetic for rights requests (GDPR art. 12(3)): calendar months, clamped."""

from __future__ import annotations

import calendar
from datetime import date

ANSWER_MONTHS = 1
EXTENSION_MONTHS = 2


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_date(received_on: date) -> date:
    """One calendar month after receipt (31 January → 28 or 29 February)."""
    return add_months(received_on, ANSWER_MONTHS)


def extended_due_date(received_on: date) -> date:
    """The deadline after the two-month extension: three calendar months after receipt."""
    return add_months(received_on, ANSWER_MONTHS + EXTENSION_MONTHS)


def may_extend(received_on: date, today: date) -> bool:
    """An extension must be notified within the first month."""
    return today <= due_date(received_on)
