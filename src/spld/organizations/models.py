"""Organisations taking part in the local public data service."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spld.core.commitments import commit, new_salt
from spld.core.models import PublicRecord
from spld.organizations.validators import validate_insee_codes, validate_siren


class Organization(PublicRecord):
    """A partner body: local authority, public company, operator, company, association…"""

    public_type = "organization"

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("collectivité territoriale")
        PUBLIC_COMPANY = "public_company", _("entreprise publique locale (SEM, SPL)")
        DELEGATED_OPERATOR = "delegated_operator", _("délégataire de service public")
        PRIVATE_COMPANY = "private_company", _("entreprise privée")
        ASSOCIATION = "association", _("association")
        RESEARCH_HEALTH = "research_health", _("établissement de recherche ou de santé")

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    kind = models.CharField(_("nature"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("présentation"), blank=True)
    territory = models.JSONField(
        _("territoire (codes INSEE)"), default=list, blank=True, validators=[validate_insee_codes]
    )
    website = models.URLField(_("site web"), blank=True)
    dpo_contact = models.CharField(
        _("contact du délégué à la protection des données"),
        max_length=200,
        blank=True,
        help_text=_("Adresse électronique ou page de contact du DPO de l’organisation."),
    )
    # The log keeps a salted commitment of the DPO contact (it may name a person), never
    # the contact itself; erasing the contact and this salt leaves nothing to link.
    dpo_contact_salt = models.CharField(max_length=32, default=new_salt, editable=False)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", kwargs={"slug": self.slug})

    def public_id(self) -> str:
        return self.slug

    def public_payload(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "siren": self.siren,
            "kind": self.kind,
            "description": self.description,
            "territory": list(self.territory),
            "website": self.website,
            "dpo_contact": (commit(self.dpo_contact_salt, self.dpo_contact)
                            if self.dpo_contact else None),
        }
