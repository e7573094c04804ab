"""Lineage queries under /api/1/lineage (public) and dataset aliases."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from django.apps import apps
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from spld.accounts.auth import token_or_session
from spld.core.api_errors import ApiError
from spld.lineage import selectors, services
from spld.lineage.models import DatasetAlias

router = Router(tags=["lignage"])


# Bounds and choices are in the OpenAPI document, so every value it allows is accepted.
Depth = Annotated[int, Field(ge=0, le=selectors.MAX_DEPTH)]


class GraphQuery(Schema):
    node: str
    depth: Depth = 3
    direction: Literal["both", "upstream", "downstream"] = "both"


@router.get("", summary="Graphe de lignage autour d’un nœud")
def lineage_graph(request: HttpRequest, params: Query[GraphQuery]) -> dict[str, Any]:
    """`node=dataset:{ns}:{name}` or `job:{ns}:{name}`; `depth` job hops (≤ 20), cycle-safe."""
    if params.direction not in ("both", "upstream", "downstream"):
        raise ApiError(400, "bad_request", _("direction vaut both, upstream ou downstream."),
                       [{"field": "direction", "message": params.direction}])
    if not 0 <= params.depth <= selectors.MAX_DEPTH:
        raise ApiError(400, "bad_request", _("depth est compris entre 0 et {m}.").format(
            m=selectors.MAX_DEPTH), [{"field": "depth", "message": str(params.depth)}])
    start = selectors.resolve_node(params.node)
    if start is None:
        raise ApiError(404, "not_found", _("Nœud inconnu : {n}.").format(n=params.node[:200]))
    return selectors.graph(start, depth=params.depth, direction=params.direction)


@router.get("/runs/{uuid:run_id}/upstream", summary="Lignage exact d’une exécution")
def run_upstream(request: HttpRequest, run_id: uuid.UUID, depth: Depth = 10) -> dict[str, Any]:
    """The jobs, runs and dataset versions this very run depended on (not merged across runs)."""
    if not 0 <= depth <= selectors.MAX_DEPTH:
        raise ApiError(400, "bad_request", _("depth est compris entre 0 et {m}.").format(
            m=selectors.MAX_DEPTH), [{"field": "depth", "message": str(depth)}])
    run = selectors.get_run(run_id)
    if run is None:
        raise ApiError(404, "not_found", _("Exécution inconnue."))
    return selectors.run_upstream(run, depth=depth)


class AliasIn(Schema):
    namespace: str
    name: str
    dataset: str


@router.get("/aliases", summary="Correspondances OpenLineage → catalogue")
def list_aliases(request: HttpRequest) -> list[dict[str, Any]]:
    """Registered aliases."""
    return [{"namespace": a.namespace, "name": a.name, "dataset": a.catalog_dataset.slug}
            for a in DatasetAlias.objects.select_related("catalog_dataset")[:1000]]


@router.post("/aliases", auth=token_or_session, response={201: dict},
             summary="Relier un jeu OpenLineage à un jeu du catalogue")
def create_alias(request: HttpRequest, body: AliasIn) -> Status[dict[str, Any]]:
    """Map (namespace, name) to a catalogue dataset of your organisation."""
    dataset = get_object_or_404(apps.get_model("catalog", "Dataset"), slug=body.dataset)
    alias = services.register_alias(actor=request.auth, namespace=body.namespace[:1000],
                                    name=body.name[:1000], catalog_dataset=dataset)
    return Status(201, {"namespace": alias.namespace, "name": alias.name,
                        "dataset": dataset.slug})
