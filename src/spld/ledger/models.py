"""The transparency log's storage: leaves, subtree hashes, tree state, checkpoints, witnesses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spld.core.models import PublicRecord

# TreeNode keys pack (level, index) into one 64-bit integer: level in the top bits.
NODE_LEVEL_SHIFT = 56


def node_key(level: int, index: int) -> int:
    """Primary key of the stored hash of the complete subtree `index` at height `level`."""
    return (level << NODE_LEVEL_SHIFT) | index


class LogEntry(models.Model):
    """One leaf of the Merkle log; `leaf` holds the exact bytes that are hashed."""

    index = models.BigIntegerField(primary_key=True)
    leaf = models.BinaryField(help_text="RFC 8785 canonical JSON of the leaf document")
    leaf_hash = models.BinaryField(max_length=32)
    subject_type = models.CharField(max_length=50)
    subject_id = models.CharField(max_length=200)
    action = models.CharField(max_length=50)
    actor_org = models.CharField(max_length=80, blank=True)
    at = models.DateTimeField()
    payload = models.BinaryField(help_text="Canonical JSON of the public payload")

    class Meta:
        ordering = ["index"]
        indexes = [
            # entry_link.html: latest entry of a subject, one index lookup.
            models.Index(
                fields=["subject_type", "subject_id", "-index"], name="ledger_subject_idx"
            ),
            models.Index(fields=["actor_org", "-index"], name="ledger_org_idx"),
            models.Index(fields=["subject_type", "-index"], name="ledger_type_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.subject_type}:{self.subject_id} {self.action}"


class TreeNode(models.Model):
    """Hash of a complete, aligned subtree of height >= 1 (never changes once written)."""

    # key = level << 56 | index: leaves [index * 2**level, (index + 1) * 2**level).
    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node {self.key >> NODE_LEVEL_SHIFT}/{self.key & ((1 << NODE_LEVEL_SHIFT) - 1)}"


class LogState(models.Model):
    """The single row saying how big the tree is, its root and its right edge."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    root = models.BinaryField(max_length=32)
    # Hashes of the complete subtrees on the right edge (one per set bit of size, left to
    # right), 32 bytes each: all an append needs, so it never reads the rest of the tree.
    frontier = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"log state: {self.size} entries"


class Checkpoint(models.Model):
    """A signed tree head (C2SP tlog-checkpoint)."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    text = models.TextField(help_text="Checkpoint note text (origin, size, root)")
    signature = models.TextField(help_text="The log's signature line")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-size"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint {self.size}"

    @property
    def note(self) -> str:
        """The signed note with the log's signature only."""
        return self.text + "\n" + self.signature


class Witness(PublicRecord):
    """Someone who co-signs checkpoints after checking the log only grew (tlog-cosignature)."""

    public_type = "witness"

    name = models.CharField(
        _("nom de clé"),
        max_length=200,
        unique=True,
        help_text=_("Nom de la clé, par exemple comite.spld.example/temoin-1."),
    )
    vkey = models.CharField(
        _("clé de vérification"),
        max_length=300,
        unique=True,
        help_text=_("<nom>+<identifiant>+<clé publique>, type 0x04."),
    )
    label = models.CharField(
        _("nom public"),
        max_length=200,
        help_text=_("Nom affiché sur le site (personne ou organisation)."),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="witnesses",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="witness_keys",
        verbose_name=_("personne"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("témoin")

    def __str__(self) -> str:
        return self.label

    def public_id(self) -> str:
        return self.name

    def public_payload(self) -> dict[str, Any]:
        # The person behind a committee key is not published here: only the public label.
        return {
            "name": self.name,
            "vkey": self.vkey,
            "label": self.label,
            "organization": self.organization.slug if self.organization_id else "",
            "active": self.active,
        }


class Cosignature(models.Model):
    """A witness's cosignature on one checkpoint."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.CASCADE, related_name="cosignatures"
    )
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    timestamp = models.BigIntegerField(help_text="POSIX time claimed by the witness")
    line = models.TextField(help_text="The signature line as served in the checkpoint")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["witness__name"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="ledger_one_cosig")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint}"
