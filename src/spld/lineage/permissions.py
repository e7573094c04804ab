"""Permission rules of the lineage: organisations send events in their own namespaces."""

from typing import Any

from spld.core.permissions import has_role, is_spld_admin, rule


@rule("lineage.send")
def _send(actor: Any, organization: Any) -> bool:
    # Events come from pipelines acting with an organisation token (editor rights there).
    return organization is not None and has_role(actor, organization, "editor", "org_admin")


@rule("lineage.alias")
def _alias(actor: Any, catalog_dataset: Any) -> bool:
    publisher = getattr(catalog_dataset, "publisher", None)
    return is_spld_admin(actor) or has_role(actor, publisher, "editor", "org_admin")
