"""Deadline arithmetic: one calendar month, clamped to the month's end; extension rules."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from spld.rights.deadlines import add_months, due_date, extended_due_date, may_extend

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 9, 30))


def test_known_cases():
    assert due_date(date(2025, 1, 31)) == date(2025, 2, 28)
    assert due_date(date(2024, 1, 31)) == date(2024, 2, 29)
    assert due_date(date(2025, 3, 31)) == date(2025, 4, 30)
    assert due_date(date(2025, 12, 15)) == date(2026, 1, 15)
    assert extended_due_date(date(2025, 1, 31)) == date(2025, 4, 30)
    assert extended_due_date(date(2025, 11, 30)) == date(2026, 2, 28)


@given(days)
def test_due_is_next_month_same_day_or_its_last_day(received):
    due = due_date(received)
    assert (due.year * 12 + due.month) - (received.year * 12 + received.month) == 1
    last = calendar.monthrange(due.year, due.month)[1]
    assert due.day == min(received.day, last)
    assert 28 <= (due - received).days <= 31


@given(days)
def test_extension_adds_two_months_and_never_shortens(received):
    due, extended = due_date(received), extended_due_date(received)
    assert extended > due
    assert 59 <= (extended - due).days <= 92
    assert (extended.year * 12 + extended.month) - (received.year * 12 + received.month) == 3


@given(days, st.integers(min_value=-400, max_value=400))
def test_extension_only_within_first_month(received, offset):
    today = received + timedelta(days=offset)
    assert may_extend(received, today) == (today <= due_date(received))


@given(days, st.integers(min_value=0, max_value=36))
def test_add_months_is_monotonic(start, months):
    assert add_months(start, months) >= start
    assert add_months(start, months) <= add_months(start, months + 1)
