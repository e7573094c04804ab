"""JSON API of the transparency log under /api/1/log/ (public, no authentication)."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router
from pydantic import WithJsonSchema

from spld.core.api_errors import ApiError
from spld.ledger import log, selectors
from spld.ledger.schemas import CheckpointOut, ConsistencyOut, EntryOut, InclusionOut, WitnessOut

router = Router(tags=["journal de transparence"])

MAX_ENTRIES = 1000
MAX_COUNT = 10**18 - 1  # parse_count reads at most 18 digits


def _integer(minimum: int = 0, maximum: int = MAX_COUNT) -> Any:
    """Typed as an integer in the OpenAPI document; parsed here so that bad values get 400s."""
    return Annotated[str, WithJsonSchema({"type": "integer", "minimum": minimum,
                                          "maximum": maximum})]


Count = _integer()
Size = _integer(minimum=1)


def _count(value: str | None, field: str, *, optional: bool = False) -> int | None:
    if optional and (value is None or value == ""):
        return None
    try:
        return selectors.parse_count(value, field)
    except selectors.BadRequest as exc:
        raise _bad(exc) from exc


def _bad(exc: selectors.BadRequest) -> ApiError:
    fields = (
        [{"loc": ["query", exc.field], "field": exc.field, "message": str(exc)}]
        if exc.field
        else None
    )
    return ApiError(400, "bad_request", str(exc), fields)


@router.get("/entries/{index}", response=EntryOut, summary="Une entrée du journal")
def get_entry(request: HttpRequest, index: Count) -> dict[str, Any]:
    """Entry `index`: exact leaf bytes (base64), leaf hash and the public payload."""
    i = _count(index, "index")
    entry = selectors.entry(i)  # type: ignore[arg-type]
    if entry is None:
        raise ApiError(404, "not_found", f"Aucune entrée n° {i} dans le journal.")
    return selectors.entry_json(entry)


@router.get("/entries", response=list[EntryOut], summary="Des entrées consécutives")
def list_entries(
    request: HttpRequest, start: Count = 0,  # type: ignore[assignment]
    limit: _integer(minimum=1, maximum=MAX_ENTRIES) = 100,  # type: ignore[valid-type]
) -> list[dict[str, Any]]:
    """Entries from `start`, at most `limit` (≤ 1000), in index order."""
    first = _count(start, "start")
    count = _count(limit, "limit")
    if not 1 <= count <= MAX_ENTRIES:  # type: ignore[operator]
        raise ApiError(400, "bad_request", f"« limit » doit être compris entre 1 et {MAX_ENTRIES}.")
    return [selectors.entry_json(e) for e in selectors.entries_range(first, count)]  # type: ignore[arg-type]


@router.get("/proof/inclusion", response=InclusionOut, summary="Preuve d’inclusion")
def inclusion_proof(
    request: HttpRequest, index: Count = "", size: Size = ""
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` (default: checkpoint)."""
    i = _count(index, "index")
    n = _count(size, "size", optional=True)
    try:
        return selectors.inclusion(i, n)  # type: ignore[arg-type]
    except selectors.BadRequest as exc:
        raise _bad(exc) from exc


@router.get("/proof/consistency", response=ConsistencyOut, summary="Preuve de cohérence")
def consistency_proof(
    request: HttpRequest, first: Size = "", second: Size = ""
) -> dict[str, Any]:
    """RFC 9162 consistency proof from size `first` to `second` (default: checkpoint)."""
    a = _count(first, "first")
    b = _count(second, "second", optional=True)
    try:
        return selectors.consistency(a, b)  # type: ignore[arg-type]
    except selectors.BadRequest as exc:
        raise _bad(exc) from exc


@router.get("/checkpoint", response=CheckpointOut, summary="Dernier point de contrôle signé")
def checkpoint(request: HttpRequest) -> dict[str, Any]:
    """The latest signed checkpoint with its witnesses' cosignatures."""
    cp = log.latest_checkpoint()
    if cp is None:
        raise ApiError(503, "no_checkpoint", "Le journal n’a pas encore de clé de signature.")
    cosigs = cp.cosignatures.select_related("witness").order_by("witness__name")
    return {
        "origin": cp.text.split("\n", 1)[0],
        "size": cp.size,
        "root_hash": log.b64(cp.root),
        "note": selectors.checkpoint_note(cp),
        "verifier_key": log.verifier_key(),
        "cosignatures": [
            {"witness": c.witness.name, "label": c.witness.label, "timestamp": c.timestamp}
            for c in cosigs
        ],
    }


@router.get("/witnesses", response=list[WitnessOut], summary="Témoins")
def witnesses(request: HttpRequest) -> list[dict[str, Any]]:
    """Registered witnesses and the latest tree size each cosigned."""
    return [
        {
            "name": w["witness"].name,
            "label": w["witness"].label,
            "vkey": w["witness"].vkey,
            "organization": w["witness"].organization.slug if w["witness"].organization else "",
            "active": w["witness"].active,
            "last_cosigned_size": w["last_size"],
        }
        for w in selectors.witnesses()
    ]
