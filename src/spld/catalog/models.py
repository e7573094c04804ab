"""Datasets (DCAT-AP 3 metadata), their resources and immutable Parquet versions."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from spld.catalog.vocabularies import FREQUENCY_CHOICES, LICENCE_CHOICES, LICENCES, THEMES
from spld.core.models import PublicRecord
from spld.organizations.validators import validate_insee_codes


def validate_themes(value: Any) -> None:
    """Themes come from the EU data-theme vocabulary."""
    if not isinstance(value, list) or any(t not in THEMES for t in value):
        raise ValidationError(
            _g("Thèmes inconnus ; valeurs possibles : {codes}.").format(codes=", ".join(THEMES))
        )


def validate_keywords(value: Any) -> None:
    """Keywords: a list of short strings."""
    if not isinstance(value, list) or any(
        not isinstance(k, str) or not k.strip() or len(k) > 100 for k in value
    ):
        raise ValidationError(_g("Les mots-clés sont une liste de textes courts."))


class Dataset(PublicRecord):
    """A dataset published by a partner (dcat:Dataset) with its purpose and access level."""

    public_type = "dataset"

    class AccessLevel(models.TextChoices):
        OPEN = "open", _("ouvert à tous")
        SHARED = "shared", _("partagé entre signataires")
        RESTRICTED = "restricted", _("réservé au producteur")

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publié")
        WITHDRAWN = "withdrawn", _("retiré")

    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=250)
    description = models.TextField(_("description (Markdown)"), blank=True)
    publisher = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="datasets",
        verbose_name=_("producteur"),
    )
    contact_point = models.CharField(
        _("point de contact"), max_length=200, blank=True,
        help_text=_("Adresse électronique ou page de contact fonctionnelle (pas une personne)."),
    )
    themes = models.JSONField(_("thèmes"), default=list, blank=True, validators=[validate_themes])
    keywords = models.JSONField(_("mots-clés"), default=list, blank=True,
                                validators=[validate_keywords])
    licence = models.CharField(_("licence"), max_length=20, choices=LICENCE_CHOICES,
                               default="etalab-2.0")
    access_level = models.CharField(_("niveau d’accès"), max_length=12,
                                    choices=AccessLevel.choices, default=AccessLevel.OPEN)
    spatial = models.JSONField(_("couverture spatiale (codes INSEE)"), default=list, blank=True,
                               validators=[validate_insee_codes])
    spatial_geometry = models.JSONField(_("géométrie (GeoJSON)"), null=True, blank=True)
    temporal_start = models.DateField(_("début de la période couverte"), null=True, blank=True)
    temporal_end = models.DateField(_("fin de la période couverte"), null=True, blank=True)
    frequency = models.CharField(_("fréquence de mise à jour"), max_length=12,
                                 choices=FREQUENCY_CHOICES, default="UNKNOWN")
    conforms_to = models.URLField(_("schéma de référence (URL)"), blank=True)
    schema = models.JSONField(_("Table Schema"), null=True, blank=True)
    purpose = models.TextField(
        _("finalité"),
        help_text=_("Pourquoi ces données sont collectées et à quoi elles servent."),
    )
    general_interest = models.TextField(
        _("intérêt général"), help_text=_("En quoi ces données servent l’intérêt général."),
    )
    retention_period = models.CharField(
        _("durée de conservation"), max_length=200,
        help_text=_("Par exemple : « 5 ans après la fin de l’année de collecte »."),
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    issued = models.DateTimeField(_("publié le"), null=True, blank=True)
    modified = models.DateTimeField(_("mis à jour le"), null=True, blank=True)
    # Harvested datasets keep the identifier of their source (dct:identifier) for idempotence.
    identifier = models.CharField(_("identifiant d’origine"), max_length=500, blank=True)
    harvest_source = models.ForeignKey(
        "catalog.HarvestSource", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="datasets",
    )
    downloads = models.PositiveBigIntegerField(_("téléchargements"), default=0)

    class Meta:
        ordering = ["-modified", "title"]
        verbose_name = _("jeu de données")
        verbose_name_plural = _("jeux de données")
        indexes = [models.Index(fields=["status", "access_level"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.purpose or "").strip():
            errors["purpose"] = _g("La finalité est obligatoire.")
        if not (self.general_interest or "").strip():
            errors["general_interest"] = _g("L’intérêt général servi est obligatoire.")
        if not (self.retention_period or "").strip():
            errors["retention_period"] = _g("La durée de conservation est obligatoire.")
        if self.licence not in LICENCES:  # the choices check names the field
            pass
        elif self.access_level == self.AccessLevel.OPEN and not LICENCES[self.licence][2]:
            errors["licence"] = _g("Un jeu de données ouvert doit avoir une licence ouverte.")
        if self.temporal_start and self.temporal_end and self.temporal_start > self.temporal_end:
            errors["temporal_end"] = _g("La fin de la période précède son début.")
        if self.schema is not None:
            from spld.catalog.ingest import IngestError, validate_schema_descriptor

            try:
                validate_schema_descriptor(self.schema)
            except IngestError as exc:
                errors["schema"] = exc.message
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("catalog:detail", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        return self.access_level == self.AccessLevel.OPEN

    @property
    def licence_label(self) -> str:
        return str(LICENCES[self.licence][0])

    @property
    def licence_url(self) -> str:
        return LICENCES[self.licence][1]

    def public_id(self) -> str:
        return self.slug

    def public_payload(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "publisher": self.publisher.slug,
            "contact_point": self.contact_point,
            "themes": list(self.themes),
            "keywords": list(self.keywords),
            "licence": self.licence,
            "access_level": self.access_level,
            "spatial": list(self.spatial),
            "temporal": [
                self.temporal_start.isoformat() if self.temporal_start else None,
                self.temporal_end.isoformat() if self.temporal_end else None,
            ],
            "frequency": self.frequency,
            "conforms_to": self.conforms_to,
            "schema": self.schema,
            "purpose": self.purpose,
            "general_interest": self.general_interest,
            "retention_period": self.retention_period,
            "status": self.status,
        }


class Resource(PublicRecord):
    """A distribution of a dataset; its data is served from its current immutable version."""

    public_type = "resource"

    class IngestStatus(models.TextChoices):
        NONE = "none", _("aucun fichier")
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        OK = "ok", _("à jour")
        FAILED = "failed", _("échec du dernier import")

    rid = models.UUIDField(_("identifiant"), default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("titre"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    source_url = models.URLField(_("adresse distante"), max_length=1000, blank=True)
    current_version = models.ForeignKey(
        "catalog.ResourceVersion", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    ingest_status = models.CharField(max_length=10, choices=IngestStatus.choices,
                                     default=IngestStatus.NONE)
    ingest_error = models.TextField(blank=True)
    # Validation report of the last failed attempt (the published version keeps its own).
    ingest_report = models.JSONField(default=dict, blank=True)
    ingest_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ressource")

    def __str__(self) -> str:
        return self.title

    def public_id(self) -> str:
        return str(self.rid)

    def public_payload(self) -> dict[str, Any]:
        version = self.current_version
        return {
            "rid": str(self.rid),
            "dataset": self.dataset.slug,
            "title": self.title,
            "description": self.description,
            "source_url": self.source_url,
            "version": None if version is None else {
                "number": version.number,
                "sha256": version.sha256,
                "source_sha256": version.source_sha256,
                "rows": version.row_count,
            },
        }


class ResourceVersion(models.Model):
    """An immutable Parquet snapshot of a resource, with its profile and validation report."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    path = models.CharField(max_length=500, help_text="Relative to SPLD_DATA_DIR.")
    byte_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    source_name = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=20)
    source_bytes = models.PositiveBigIntegerField(default=0)
    source_sha256 = models.CharField(max_length=64, blank=True)
    encoding = models.CharField(max_length=30, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    row_count = models.PositiveBigIntegerField(default=0)
    columns = models.JSONField(default=list)
    profile = models.JSONField(default=dict)
    validation_report = models.JSONField(default=dict)
    geometry_column = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Versions are immutable: a new ingest makes a new version.
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_g("Une version publiée ne peut pas être modifiée."))
        super().save(*args, **kwargs)

    @property
    def file_path(self) -> Path:
        return Path(settings.DATA_DIR) / self.path

    @property
    def is_available(self) -> bool:
        """False when the data folder lost this version's file (restore or re-upload it)."""
        return self.file_path.is_file()

    @property
    def column_names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    @property
    def is_valid(self) -> bool:
        return not self.validation_report.get("error_count", 0)


class HarvestSource(models.Model):
    """A partner portal harvested into the catalogue (DCAT or CKAN)."""

    class Kind(models.TextChoices):
        DCAT = "dcat", "DCAT"
        CKAN = "ckan", "CKAN"

    url = models.URLField(_("adresse"), max_length=1000, unique=True)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    publisher = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE,
                                  related_name="harvest_sources")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("source moissonnée")

    def __str__(self) -> str:
        return self.url


class HarvestRun(models.Model):
    """One harvest of a source, with its report."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.started_at:%Y-%m-%d %H:%M}"


class IngestAttempt(models.Model):
    """One file sent to a resource (upload or remote URL) and what became of it.

    Rows are numbered in the order the files were sent: the last one sent wins the current
    version, and every failure stays visible to the publisher.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        OK = "ok", _("publié")
        FAILED = "failed", _("échec")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="attempts")
    task_id = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    version = models.ForeignKey(ResourceVersion, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("envoi de fichier")

    def __str__(self) -> str:
        return f"{self.resource} #{self.pk} {self.status}"
