"""Reads that combine several apps: the home page, the transparency hub, an organisation's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from spld.catalog.selectors import can_see_metadata, datasets_of, public_dataset_count
from spld.charter.selectors import membership_of, signatory_count
from spld.ledger.selectors import tree_size
from spld.organizations.models import Organization
from spld.organizations.selectors import organization_count, organization_list
from spld.registers.selectors import processing_list, register_total


@dataclass(frozen=True)
class PublicCounts:
    """The numbers the home page and the hub show: each is the length of the list it links to."""

    organizations: int
    datasets: int
    register_entries: int
    signatories: int
    log_entries: int


def public_counts() -> PublicCounts:
    """Every public count, from the selector of the list it counts (one definition each)."""
    return PublicCounts(
        organizations=organization_count(),
        datasets=public_dataset_count(),
        register_entries=register_total(),
        signatories=signatory_count(),
        log_entries=tree_size(),
    )


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
    counts = public_counts()
    return [
        HubEntry(
            _("Organisations partenaires"),
            _("Qui participe au service public local de la donnée."),
            _url("organizations:list"),
            counts.organizations,
        ),
        HubEntry(
            _("Catalogue des données"),
            _("Les jeux de données publiés, à consulter et télécharger."),
            _url("catalog:list"),
            counts.datasets,
        ),
        HubEntry(
            _("Registres"),
            _(
                "Qui détient des données personnelles, avec qui elles sont partagées, pour "
                "quels usages, et les algorithmes utilisés."
            ),
            _url("registers:index"),
            counts.register_entries,
        ),
        HubEntry(
            _("Signataires de la charte"),
            _("Qui s’est engagé, depuis quand, et comment chacun tient ses engagements."),
            _url("charter:signatories"),
            counts.signatories,
        ),
        HubEntry(
            _("Journal de transparence"),
            _(
                "Chaque publication est inscrite dans un journal infalsifiable que chacun peut "
                "vérifier."
            ),
            _url("ledger:journal"),
            counts.log_entries,
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
    return organization_list()[:limit]


def organization_profile(organization: Organization, actor: Any) -> dict[str, Any]:
    """What other registers say about an organisation, for its public page."""
    datasets = [d for d in datasets_of(organization).order_by("title")
                if can_see_metadata(actor, d)]
    return {
        "datasets": datasets,
        "membership": membership_of(organization),
        "processing_count": processing_list(organization=organization).count(),
    }
