"""The transparency log's storage: one row per leaf, in index order."""

from django.db import models


class LogEntry(models.Model):
    """One leaf of the Merkle log; `leaf` holds the exact bytes that are hashed."""

    index = models.BigIntegerField(primary_key=True)
    leaf = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)
    subject_type = models.CharField(max_length=50, db_index=True)
    subject_id = models.CharField(max_length=200)
    action = models.CharField(max_length=50)
    actor_org = models.CharField(max_length=80, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)
    payload = models.BinaryField(help_text="Canonical JSON of the public payload")

    class Meta:
        ordering = ["index"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"#{self.index} {self.subject_type}:{self.subject_id} {self.action}"
