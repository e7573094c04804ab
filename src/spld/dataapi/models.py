"""Reads of shared or restricted data: who read which resource, when (not public)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataRead(models.Model):
    """One read of a non-open resource through the data API (records, profile or export)."""

    resource = models.ForeignKey("catalog.Resource", on_delete=models.CASCADE,
                                 related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    token_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(_("lecture"), max_length=20)
    query = models.CharField(max_length=1000, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("lecture de données")

    def __str__(self) -> str:
        return f"{self.kind} {self.resource_id} @ {self.at:%Y-%m-%d %H:%M}"
