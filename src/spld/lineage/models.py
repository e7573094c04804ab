"""OpenLineage events and the lineage graph built from them (jobs, datasets, runs)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Namespace(models.Model):
    """An OpenLineage namespace and the organisation allowed to send events in it."""

    name = models.CharField(_("espace de noms"), max_length=1000, unique=True)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Job(models.Model):
    """A job (namespace + name); facets are the latest received, unknown ones included."""

    namespace = models.CharField(max_length=1000)
    name = models.CharField(max_length=1000)
    facets = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "name"],
                                               name="lineage_unique_job")]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name}"

    @property
    def node_id(self) -> str:
        return f"job:{self.namespace}:{self.name}"


class Dataset(models.Model):
    """A dataset as producers name it (namespace + name), possibly aliased to the catalogue."""

    namespace = models.CharField(max_length=1000)
    name = models.CharField(max_length=1000)
    facets = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "name"],
                                               name="lineage_unique_dataset")]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name}"

    @property
    def node_id(self) -> str:
        return f"dataset:{self.namespace}:{self.name}"


class DatasetAlias(models.Model):
    """Maps an OpenLineage dataset name to a catalogue dataset."""

    namespace = models.CharField(max_length=1000)
    name = models.CharField(max_length=1000)
    catalog_dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE,
                                        related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "name"],
                                               name="lineage_unique_alias")]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name} → {self.catalog_dataset_id}"


class Run(models.Model):
    """One execution of a job; state follows the latest event by event time."""

    run_id = models.UUIDField(unique=True)
    # Indexes are kept to what the queries use: each one costs writes at ingestion.
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="runs",
                            db_index=False)  # covered by (job, event_time)
    state = models.CharField(max_length=10)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    event_time = models.DateTimeField()
    parent_run_id = models.UUIDField(null=True, blank=True)
    facets = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "event_time"])]

    def __str__(self) -> str:
        return str(self.run_id)


class RunDataset(models.Model):
    """A dataset (version) a run read or wrote: the exact per-run lineage."""

    class Direction(models.TextChoices):
        INPUT = "in", _("entrée")
        OUTPUT = "out", _("sortie")

    # Both covered by the composite unique constraint and indexes below.
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="datasets",
                            db_index=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="run_links",
                                db_index=False)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # The dataset version facet when given; for outputs, else the run id (the run made it).
    version = models.CharField(max_length=200, blank=True)
    event_time = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "dataset", "direction"],
                                               name="lineage_unique_run_dataset")]
        indexes = [models.Index(fields=["dataset", "direction", "event_time"]),
                   models.Index(fields=["dataset", "direction", "version"])]

    def __str__(self) -> str:
        return f"{self.run_id} {self.direction} {self.dataset_id}"


class JobEdge(models.Model):
    """Job-level graph merged across runs: the job reads (in) or writes (out) the dataset."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="edges")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="edges")
    direction = models.CharField(max_length=3, choices=RunDataset.Direction.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "dataset", "direction"],
                                               name="lineage_unique_edge")]
        indexes = [models.Index(fields=["dataset", "direction"])]

    def __str__(self) -> str:
        return f"{self.job_id} {self.direction} {self.dataset_id}"


class Event(models.Model):
    """A received event, stored whole (unknown facets kept); `digest` makes resends idempotent."""

    digest = models.CharField(max_length=64, unique=True)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE,
                                     related_name="+", db_index=False)
    kind = models.CharField(max_length=8)
    event_type = models.CharField(max_length=10, blank=True)
    event_time = models.DateTimeField()
    run_id = models.UUIDField(null=True, blank=True)
    # The event as received (sorted-keys JSON), zlib-compressed: five times fewer bytes to
    # write, which is what bounds ingestion speed.
    compressed = models.BinaryField(default=b"")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_time"]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_type} {self.event_time}"

    def document(self) -> dict[str, Any]:
        """The event exactly as received, unknown facets included."""
        return json.loads(zlib.decompress(bytes(self.compressed)))
