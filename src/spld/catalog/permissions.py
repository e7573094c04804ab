"""Permission rules about the catalogue."""

from typing import Any

from spld.core.permissions import has_role, is_spld_admin, rule


def _publisher_of(obj: Any) -> Any:
    # Rules accept an organisation, a dataset or a resource.
    if hasattr(obj, "dataset"):
        obj = obj.dataset
    return getattr(obj, "publisher", obj)


@rule("catalog.publish")
def _publish(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor) or has_role(actor, _publisher_of(obj), "editor", "org_admin")


@rule("catalog.harvest")
def _harvest(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor)
