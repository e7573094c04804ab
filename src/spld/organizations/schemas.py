"""API schemas for organisations."""

from ninja import Field, Schema
from pydantic import HttpUrl

from spld.core.schemas import PartialSchema


class OrganizationOut(Schema):
    slug: str
    name: str
    siren: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    description: str
    territory: list[str]
    website: str
    dpo_contact: str
    url: str = Field(..., alias="get_absolute_url")


class OrganizationUpdate(PartialSchema):
    nullable = frozenset({"website"})  # null clears the address (an empty string is no URL)

    name: str | None = Field(None, min_length=2, max_length=200)
    description: str | None = Field(None, max_length=5000)
    territory: list[str] | None = None
    website: HttpUrl | None = None
    dpo_contact: str | None = Field(None, max_length=200)
