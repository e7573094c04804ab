"""« Le chemin des données pour cette action »: a run's upstream, drawn and tabulated."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from spld.lineage import selectors
from spld.registers import svg


def run_path(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """Path from the source datasets through jobs to the result of one run."""
    run = selectors.get_run(run_id)
    if run is None:
        raise Http404
    upstream = selectors.run_upstream(run, depth=10)
    nodes, edges = selectors.path_drawing(upstream)
    drawing = svg.graph_svg(nodes, edges, title=_("Le chemin des données pour cette action"),
                            description=_("Des données sources, à gauche, au résultat, à droite, "
                                          "en passant par chaque traitement. Le tableau qui "
                                          "suit donne le même contenu."))
    names = {d["id"]: (d.get("catalog") or {}).get("title") or d["name"]
             for d in upstream["datasets"]}
    return render(request, "lineage/run_path.html", {
        "run": run, "upstream": upstream, "names": names,
        "svg": mark_safe(drawing),  # noqa: S308  (built from escaped text only)
    })
