"""Permission rules of the transparency log."""

from typing import Any

from spld.core.permissions import is_spld_admin, rule


@rule("ledger.manage_witnesses")
def _manage_witnesses(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor)


@rule("ledger.sign")
def _sign(actor: Any, obj: Any) -> bool:
    return is_spld_admin(actor)
