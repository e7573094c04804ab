"""API schemas of the catalogue (separate Create / Update / Out)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from spld.catalog.vocabularies import FREQUENCIES, LICENCES
from spld.core.schemas import PartialSchema

# The lists the model accepts, as enums in the OpenAPI document (an unknown value is a 422
# naming the field, never a lookup error).
Licence = Literal[tuple(LICENCES)]  # type: ignore[valid-type]
AccessLevel = Literal["open", "shared", "restricted"]
Frequency = Literal[tuple(FREQUENCIES)]  # type: ignore[valid-type]


class DatasetCreate(Schema):
    title: str = Field(min_length=1, max_length=250)
    slug: str = Field("", max_length=120, pattern=r"^[-a-z0-9_]*$")
    description: str = ""
    contact_point: str = ""
    themes: list[str] = []
    keywords: list[str] = []
    licence: Licence = "etalab-2.0"
    access_level: AccessLevel = "open"
    spatial: list[str] = []
    spatial_geometry: dict[str, Any] | None = None
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None
    frequency: Frequency = "UNKNOWN"
    conforms_to: str = ""
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    purpose: str
    general_interest: str
    retention_period: str
    publish: bool = False


class DatasetUpdate(PartialSchema):
    nullable = frozenset({"spatial_geometry", "temporal_start", "temporal_end", "schema_"})

    title: str | None = Field(None, min_length=1, max_length=250)
    description: str | None = None
    contact_point: str | None = None
    themes: list[str] | None = None
    keywords: list[str] | None = None
    licence: Licence | None = None
    access_level: AccessLevel | None = None
    spatial: list[str] | None = None
    spatial_geometry: dict[str, Any] | None = None
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None
    frequency: Frequency | None = None
    conforms_to: str | None = None
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    purpose: str | None = None
    general_interest: str | None = None
    retention_period: str | None = None


class ResourceCreate(Schema):
    title: str = Field(min_length=1, max_length=250)
    description: str = ""
    url: str = Field("", max_length=1000, description="Fichier distant à télécharger (http/https).")


class TaskOut(Schema):
    task_id: str
    status: str
