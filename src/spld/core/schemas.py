"""Shared pieces of API bodies: optional fields that may be left out but are never null."""

from __future__ import annotations

from typing import Any, ClassVar

from ninja import Schema
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


def _drop_null(prop: dict[str, Any]) -> dict[str, Any]:
    """The property schema without its `null` alternative (pydantic writes anyOf[X, null])."""
    options = prop.get("anyOf")
    if not options:
        return prop
    kept = [o for o in options if o.get("type") != "null"]
    if len(kept) == len(options):
        return prop
    rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
    return {**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept}


class PartialSchema(Schema):
    """A write body whose fields may be omitted; an explicit null only where `nullable` says.

    Fields are annotated `X | None = None` so that leaving one out keeps the stored value;
    sending `null` for a field the model cannot hold empty is refused with 422 naming the
    field (instead of reaching the database), and the OpenAPI document says so.
    """

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("null_not_allowed",
                                      "Ce champ ne peut pas être null : omettez-le pour ne pas "
                                      "le modifier.")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        props = target.get("properties", {})
        for name, info in cls.model_fields.items():
            key = info.alias or name
            if name not in cls.nullable and key in props:
                props[key] = _drop_null(props[key])
        return schema
