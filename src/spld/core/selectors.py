"""Reads shared by the portal pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from spld.core.models import TaskProgress


@dataclass(frozen=True)
class HubEntry:
    """One register of the transparency hub; `url` is None until its issue lands ("bientôt")."""

    title: Promise
    description: Promise
    url: str | None
    count: int | None = None


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def transparency_hub() -> list[HubEntry]:
    """The registers a citizen can consult, in the order of the charter."""
    from spld.catalog.selectors import open_datasets
    from spld.charter.selectors import signatories
    from spld.ledger.selectors import tree_size
    from spld.organizations.selectors import organization_count
    from spld.registers.selectors import register_total

    return [
        HubEntry(
            _("Organisations partenaires"),
            _("Qui participe au service public local de la donnée."),
            _url("organizations:list"),
            organization_count(),
        ),
        HubEntry(
            _("Catalogue des données"),
            _("Les jeux de données publiés, à consulter et télécharger."),
            _url("catalog:list"),
            open_datasets().count(),
        ),
        HubEntry(
            _("Registres"),
            _(
                "Qui détient des données personnelles, avec qui elles sont partagées, pour "
                "quels usages, et les algorithmes utilisés."
            ),
            _url("registers:index"),
            register_total(),
        ),
        HubEntry(
            _("Signataires de la charte"),
            _("Qui s’est engagé, depuis quand, et comment chacun tient ses engagements."),
            _url("charter:signatories"),
            signatories().count(),
        ),
        HubEntry(
            _("Journal de transparence"),
            _(
                "Chaque publication est inscrite dans un journal infalsifiable que chacun peut "
                "vérifier."
            ),
            _url("ledger:journal"),
            tree_size(),
        ),
        HubEntry(
            _("Droits des habitants"),
            _(
                "Combien de demandes d’accès, d’effacement ou d’opposition, et si les "
                "réponses arrivent à temps."
            ),
            _url("rights:statistics"),
        ),
        HubEntry(
            _("Vérifier un reçu"),
            _(
                "Contrôlez qu’un reçu de consentement ou de demande est authentique et "
                "inscrit au journal."
            ),
            _url("rights:verify"),
        ),
    ]


def partner_organizations(limit: int = 30) -> QuerySet[Any]:
    """Organisations shown on the home page."""
    from spld.organizations.selectors import organization_list

    return organization_list()[:limit]


def tasks_of(user: Any) -> list[dict[str, Any]]:
    """The user's background tasks with their state from the task backend."""
    from django_tasks_db.models import DBTaskResult

    from spld.core.progress import error_text, state_name

    progress = list(TaskProgress.objects.filter(owner=user)[:50])
    statuses = {
        str(r.id): r for r in DBTaskResult.objects.filter(id__in=[p.task_id for p in progress])
    }
    rows = []
    for p in progress:
        result = statuses.get(p.task_id)
        rows.append(
            {
                "progress": p,
                "status": result.status if result else "UNKNOWN",
                "state": state_name(result),
                "error": error_text(result, p),
            }
        )
    return rows
