"""JSON API of the catalogue: search, dataset metadata, resources and uploads."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router

from spld.accounts.auth import token_or_session
from spld.catalog import selectors, services, tasks
from spld.catalog.fetch import FetchError
from spld.catalog.models import Dataset, Resource
from spld.catalog.schemas import DatasetCreate, DatasetUpdate, ResourceCreate
from spld.core.api_errors import ApiError
from spld.core.pagination import Page
from spld.core.permissions import has_perm
from spld.dataapi.actors import current_actor

router = Router(tags=["catalogue"])
Sort = Literal[("", *selectors.SORTS)]  # type: ignore[valid-type]


def resource_json(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    """Public description of a resource and its current version."""
    version = resource.current_version
    base = request.build_absolute_uri(f"/api/1/resources/{resource.rid}/")
    return {
        "rid": str(resource.rid), "title": resource.title, "description": resource.description,
        "ingest_status": resource.ingest_status,
        "version": None if version is None else {
            "number": version.number, "rows": version.row_count, "columns": version.columns,
            "format": version.source_format, "source_name": version.source_name,
            "bytes": version.byte_size, "sha256": version.sha256,
            "created_at": version.created_at.isoformat(),
            "validation": {k: version.validation_report.get(k)
                           for k in ("schema", "valid", "error_count")},
        },
        "api": {"data": base + "data/", "profile": base + "profile/",
                "csv": base + "data/csv/", "json": base + "data/json/",
                "parquet": base + "data/parquet/"},
    }


def dataset_json(request: HttpRequest, dataset: Dataset, *, full: bool = True) -> dict[str, Any]:
    """Public metadata of a dataset (DCAT-AP field names in French and English docs)."""
    out: dict[str, Any] = {
        "slug": dataset.slug, "title": dataset.title, "description": dataset.description,
        "publisher": {"slug": dataset.publisher.slug, "name": dataset.publisher.name},
        "contact_point": dataset.contact_point, "themes": dataset.themes,
        "keywords": dataset.keywords, "licence": dataset.licence,
        "licence_url": dataset.licence_url, "access_level": dataset.access_level,
        "spatial": dataset.spatial, "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end, "frequency": dataset.frequency,
        "conforms_to": dataset.conforms_to, "purpose": dataset.purpose,
        "general_interest": dataset.general_interest,
        "retention_period": dataset.retention_period, "status": dataset.status,
        "issued": dataset.issued, "modified": dataset.modified, "downloads": dataset.downloads,
        "page": request.build_absolute_uri(dataset.get_absolute_url()),
    }
    if full:
        out["schema"] = dataset.schema
        out["resources"] = [resource_json(request, r) for r in dataset.resources.all()]
    return out


def _dataset(request: HttpRequest, slug: str) -> Dataset:
    try:
        dataset = selectors.dataset_detail(slug)
    except Dataset.DoesNotExist as exc:
        raise Http404 from exc
    if not selectors.can_see_metadata(current_actor(request), dataset):
        raise Http404
    return dataset


@router.get("/", summary="Rechercher des jeux de données", response={200: dict})
def search(request: HttpRequest, q: str = "", publisher: str = "", theme: str = "",
           licence: str = "", access_level: str = "", commune: str = "", sort: Sort = "",
           page: Page = 1, page_size: Annotated[int, Field(ge=1, le=100)] = 20
           ) -> dict[str, Any]:
    """Full text (French stemming, accents ignored) with facets and sorting."""
    if sort and sort not in selectors.SORTS:
        raise ApiError(400, "bad_query", _("Tri inconnu ; valeurs : {v}.").format(
            v=", ".join(selectors.SORTS)))
    if page < 1 or not 1 <= page_size <= 100:
        raise ApiError(400, "bad_query", _("page ≥ 1 et page_size de 1 à 100."))
    items, facets = selectors.search_datasets(
        actor=current_actor(request), q=q[:200], publisher=publisher, theme=theme,
        licence=licence, access_level=access_level, commune=commune, sort=sort)
    total = len(items)
    chunk = items[(page - 1) * page_size: page * page_size]

    def link(n: int) -> str:
        params = request.GET.copy()
        params["page"] = str(n)
        return request.build_absolute_uri(request.path) + "?" + urlencode(params, doseq=True)

    return {"data": [dataset_json(request, d, full=False) for d in chunk],
            "meta": {"total": total, "page": page, "page_size": page_size},
            "links": {"next": link(page + 1) if page * page_size < total else None,
                      "prev": link(page - 1) if page > 1 else None},
            "facets": facets}


def _fields(body: Any, *, exclude_unset: bool) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=exclude_unset, by_alias=False)
    if "schema_" in data:
        data["schema"] = data.pop("schema_")
    for key in ("publish", "slug"):
        data.pop(key, None)
    return data


@router.post("/", auth=token_or_session, summary="Créer un jeu de données", response={201: dict})
def create(request: HttpRequest, body: DatasetCreate, publisher: str = "") -> tuple[int, dict]:
    """Describe a dataset of the token's organisation (or `?publisher=slug` for a session)."""
    from spld.organizations.models import Organization

    actor = request.auth  # type: ignore[attr-defined]
    org = getattr(actor, "organization", None)
    if publisher:
        org = Organization.objects.filter(slug=publisher).first()
        if org is None:
            raise ApiError(422, "unknown_reference", _("Organisation inconnue : {s}.").format(
                s=publisher[:100]), [{"loc": ["query", "publisher"], "field": "publisher",
                                      "message": publisher[:100]}])
    if org is None:
        raise ApiError(400, "bad_query", _("Précisez l’organisation productrice (?publisher=)."))
    dataset = services.create_dataset(actor=actor, publisher=org, title=body.title,
                                      slug=body.slug, publish=body.publish,
                                      **{k: v for k, v in _fields(body, exclude_unset=False)
                                         .items() if k != "title"})
    return 201, dataset_json(request, selectors.dataset_detail(dataset.slug))


@router.get("/{slug}", summary="Un jeu de données", response={200: dict})
def detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Metadata, purpose, resources and API links of a dataset."""
    return dataset_json(request, _dataset(request, slug))


@router.patch("/{slug}", auth=token_or_session, summary="Modifier un jeu de données",
              response={200: dict})
def update(request: HttpRequest, slug: str, body: DatasetUpdate) -> dict[str, Any]:
    """Change metadata (logged when published)."""
    dataset = _dataset(request, slug)
    changes = _fields(body, exclude_unset=True)
    services.update_dataset(actor=request.auth, dataset=dataset, **changes)  # type: ignore[attr-defined]
    return dataset_json(request, selectors.dataset_detail(slug))


@router.post("/{slug}/publish", auth=token_or_session, summary="Publier",
             response={200: dict})
def publish(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Publish a draft dataset (transparency log entry)."""
    dataset = _dataset(request, slug)
    services.publish_dataset(actor=request.auth, dataset=dataset)  # type: ignore[attr-defined]
    return dataset_json(request, selectors.dataset_detail(slug))


@router.post("/{slug}/resources", auth=token_or_session, summary="Ajouter une ressource",
             response={201: dict, 202: dict})
def add_resource(request: HttpRequest, slug: str, body: ResourceCreate) -> tuple[int, dict]:
    """A new resource; with `url`, the remote file is fetched and ingested by a task."""
    dataset = _dataset(request, slug)
    actor = request.auth  # type: ignore[attr-defined]
    if body.url:
        try:
            resource, task_id = tasks.create_remote_resource(
                actor=actor, dataset=dataset, title=body.title, description=body.description,
                url=body.url)
        except FetchError as exc:
            raise ApiError(413 if exc.code == "too_large" else 400, exc.code,
                           exc.message) from exc
        resource.refresh_from_db()
        return 202, {**resource_json(request, resource), "task_id": task_id}
    resource = services.create_resource(actor=actor, dataset=dataset, title=body.title,
                                        description=body.description)
    return 201, resource_json(request, resource)


def _resource(request: HttpRequest, slug: str, rid: str) -> Resource:
    dataset = _dataset(request, slug)
    try:
        return dataset.resources.select_related("current_version", "dataset__publisher").get(
            rid=rid)
    except (Resource.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


@router.get("/{slug}/resources/{rid}", summary="Une ressource", response={200: dict})
def resource_detail(request: HttpRequest, slug: str, rid: str) -> dict[str, Any]:
    """A resource with its ingest status and, after a failure, the validation report."""
    resource = _resource(request, slug, rid)
    out = resource_json(request, resource)
    if has_perm(current_actor(request), "catalog.publish", resource):
        from spld.core.progress import state_of

        out["ingest_error"] = resource.ingest_error
        out["ingest_report"] = resource.ingest_report
        # Every file sent, with its outcome: a failure stays visible after a later success.
        out["attempts"] = [{
            "task_id": a.task_id, "filename": a.filename, "status": a.status,
            "error": a.error, "sent_at": a.sent_at.isoformat(),
            "version": a.version.number if a.version else None,
        } for a in selectors.recent_attempts(resource)]
        # The last import task as the task backend saw it: pending, running, succeeded, failed.
        out["task"] = state_of(resource.ingest_task_id) if resource.ingest_task_id else None
    return out


@router.put("/{slug}/resources/{rid}/file", auth=token_or_session,
            summary="Envoyer un fichier (corps brut, en flux)", response={202: dict})
def upload(request: HttpRequest, slug: str, rid: str, filename: str = "donnees.csv"
           ) -> tuple[int, dict]:
    """Stream the request body to disk (limit SPLD_UPLOAD_MAX_BYTES) and queue its ingest."""
    from spld.catalog import conf

    resource = _resource(request, slug, rid)
    actor = request.auth  # type: ignore[attr-defined]
    if not has_perm(actor, "catalog.publish", resource):
        raise PermissionDenied(_("Seul le producteur peut envoyer un fichier."))
    declared = request.META.get("CONTENT_LENGTH") or ""
    if not declared and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # WSGI hands Django no chunked body: say so instead of "empty file".
        raise ApiError(411, "length_required", _("Indiquez la taille du fichier (en-tête "
                                                 "Content-Length) : l’envoi en morceaux "
                                                 "(chunked) n’est pas accepté."))
    if declared.isdigit() and int(declared) > conf.upload_max_bytes():
        raise ApiError(413, "too_large", str(services.UploadTooLarge(conf.upload_max_bytes())))

    def chunks() -> Any:
        while block := request.read(1 << 20):
            yield block

    try:
        staged = services.receive_upload(actor=actor, resource=resource, chunks=chunks(),
                                         filename=filename)
    except services.UploadTooLarge as exc:
        raise ApiError(413, "too_large", str(exc)) from exc
    if staged.stat().st_size == 0:
        services.discard_staged(staged)
        raise ApiError(400, "empty_file", _("Le fichier est vide (0 octet)."))
    task_id = tasks.start_ingest(actor=actor, resource=resource, staged=staged,
                                    filename=filename)
    return 202, {"task_id": task_id, "status": "pending", "rid": str(resource.rid),
                 "status_url": request.build_absolute_uri(
                     f"/api/1/datasets/{slug}/resources/{resource.rid}")}
