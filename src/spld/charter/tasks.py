"""Background work of the charter: indicator history, overdue evaluations, annual report."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_tasks import task


@task()
def daily_charter_checks() -> dict[str, Any]:
    """Store today's indicator values, propose alerts, chase overdue evaluations."""
    from spld.charter import services

    stored = services.record_indicator_values(actor=services.SYSTEM)
    proposals = services.propose_alerts_from_indicators(actor=services.SYSTEM)
    overdue = services.check_overdue_evaluations(actor=services.SYSTEM)
    return {"indicator_values": stored, "proposals": len(proposals), **overdue}


@task(takes_context=True)
def generate_report_task(context: Any, year: int, user_id: int | None) -> dict[str, Any]:
    """Generate (or regenerate) the draft annual report of `year`."""
    from spld.accounts.models import User
    from spld.charter import services
    from spld.core import progress

    actor = User.objects.filter(pk=user_id).first() if user_id else services.SYSTEM
    progress.report(context.task_result.id, done=0, total=1,
                    message=_("rédaction du rapport {year}").format(year=year))
    report = services.generate_annual_report(actor=actor, year=year)
    progress.report(context.task_result.id, done=1, total=1,
                    message=_("rapport {year} prêt (brouillon à relire)").format(year=year))
    return {"year": year, "sha256": report.pdf_sha256}
