"""Public pages of the catalogue and the publishers' forms (thin: services and selectors)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from spld.catalog import selectors, services, tasks
from spld.catalog.fetch import FetchError
from spld.catalog.forms import DatasetForm, ResourceForm, VersionForm
from spld.catalog.models import Dataset, Resource
from spld.catalog.rendering import column_chart
from spld.catalog.uploads import LimitedUploadHandler
from spld.catalog.vocabularies import LICENCES, THEMES
from spld.core import progress as task_progress
from spld.core.permissions import has_perm
from spld.organizations.models import Organization

PREVIEW_ROWS = 10
MAX_CHARTS = 12


def catalog_list(request: HttpRequest) -> HttpResponse:
    """The catalogue: full-text search, facets and sorting."""
    params = {k: request.GET.get(k, "")[:200] for k in
              ("q", "publisher", "theme", "licence", "access_level", "commune", "sort")}
    if params["sort"] not in ("", *selectors.SORTS):
        params["sort"] = ""
    items, facets = selectors.search_datasets(actor=request.user, **params)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in params.items() if v})
    facet_groups = [
        ("publisher", _("Producteur"), facets["publisher"]),
        ("theme", _("Thème"), facets["theme"]),
        ("licence", _("Licence"), facets["licence"]),
        ("access_level", _("Niveau d’accès"), facets["access_level"]),
        ("commune", _("Commune"), facets["commune"]),
    ]
    return render(request, "catalog/list.html", {
        "page": page, "params": params, "query": query, "facet_groups": facet_groups,
        "sorts": [("", _("Pertinence ou date")), ("date", _("Date de mise à jour")),
                  ("downloads", _("Téléchargements")), ("title", _("Titre"))],
        "can_create": _publisher_orgs(request.user).exists(),
    })


def _publisher_orgs(user: Any) -> Any:
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user,
                                       memberships__role__in=["editor", "org_admin"]).distinct()


def _preview(resource: Any) -> dict[str, Any] | None:
    """The first rows of the current version (immutable: kept in the cache per version)."""
    from spld.dataapi import engine

    version = resource.current_version
    if version is None:
        return None
    key = f"catalog:preview:{version.sha256}:{PREVIEW_ROWS}"  # content-addressed
    rows = cache.get(key)
    if rows is None:
        query = engine.Query(page=1, page_size=PREVIEW_ROWS)
        found, _total = engine.run_page(query, str(version.file_path), version.column_names)
        rows = [[r[c] for c in version.column_names] for r in found]
        cache.set(key, rows, 24 * 3600)
    return {"columns": version.column_names, "rows": rows,
            "chart_count": sum(1 for c in version.profile.get("columns", [])[:MAX_CHARTS]
                               if c.get("histogram") or c.get("top_counts"))}


def _charts(version: Any) -> list[dict[str, Any]]:
    """Charts of a version's profile, drawn once per process and reused (it is immutable)."""
    key = f"catalog:charts:{version.sha256}"
    charts = cache.get(key)
    if charts is None:
        charts = []
        for i, column in enumerate(version.profile.get("columns", [])[:MAX_CHARTS]):
            # Ids unique on the page: one version per resource, one chart per column.
            chart = column_chart(column, id_prefix=f"chart-{version.pk}-{i}-")
            if chart:
                charts.append({"column": column, **chart})
        cache.set(key, charts, 24 * 3600)
    return charts


def _visible_dataset(request: HttpRequest, slug: str) -> Dataset:
    """The dataset whose metadata this person may see, or 404 (never 403: no hint it exists)."""
    try:
        dataset = selectors.dataset_detail(slug)
    except Dataset.DoesNotExist as exc:
        raise Http404 from exc
    if not selectors.can_see_metadata(request.user, dataset):
        raise Http404
    return dataset


def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A dataset: metadata, purpose, resources, preview, profile charts, API, downloads."""
    dataset = _visible_dataset(request, slug)
    readable = selectors.can_read(request.user, dataset)
    can_edit = has_perm(request.user, "catalog.publish", dataset)
    resources = []
    for resource in dataset.resources.all():
        entry: dict[str, Any] = {"resource": resource, "version": resource.current_version,
                                 "versions": selectors.version_history(resource)}
        if can_edit:
            entry["failures"] = [a for a in selectors.recent_attempts(resource)
                                 if a.status == "failed"]
        if can_edit and resource.ingest_task_id and resource.ingest_status != "ok":
            entry["task"] = task_progress.state_of(resource.ingest_task_id)
        if resource.current_version is not None and not resource.current_version.is_available:
            entry["unavailable"] = True
        elif readable and resource.current_version is not None:
            from spld.dataapi.services import log_read

            log_read(actor=request.user, resource=resource, kind="preview")
            entry["preview"] = _preview(resource)
        resources.append(entry)
    site = request.build_absolute_uri("/").rstrip("/")
    return render(request, "catalog/detail.html", {
        "dataset": dataset, "resources": resources, "readable": readable, "site": site,
        "can_edit": can_edit,
        "themes": [(t, THEMES.get(t, t)) for t in dataset.themes],
        "licence_label": LICENCES[dataset.licence][0],
    })


def resource_profile(request: HttpRequest, slug: str, rid: Any) -> HttpResponse:
    """A resource's column profile with its charts: a page of its own, out of the dataset page."""
    dataset = _visible_dataset(request, slug)
    resource = next((r for r in dataset.resources.all() if str(r.rid) == str(rid)), None)
    if resource is None or resource.current_version is None:
        raise Http404
    if not selectors.can_read(request.user, dataset):
        raise PermissionDenied
    from spld.dataapi.services import log_read

    log_read(actor=request.user, resource=resource, kind="profile")
    version = resource.current_version
    return render(request, "catalog/profile.html", {
        "dataset": dataset, "resource": resource, "version": version,
        "charts": _charts(version)})


@login_required
def dataset_create(request: HttpRequest) -> HttpResponse:
    """A publisher describes a new dataset (a draft until published)."""
    orgs = _publisher_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("Réservé aux éditeurs d’une organisation."))
    org = orgs.filter(slug=request.GET.get("organisation") or request.POST.get("organisation")
                      ).first() or orgs.first()
    form = DatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.create_dataset(actor=request.user, publisher=org,
                                              title=form.cleaned_data["title"],
                                              **form.service_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Jeu de données créé (brouillon)."))
            return redirect(dataset.get_absolute_url())
    return render(request, "catalog/form.html", {"form": form, "organization": org,
                                                 "organizations": orgs})


@login_required
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit a dataset's metadata."""
    dataset = get_object_or_404(Dataset.objects.select_related("publisher"), slug=slug)
    if not has_perm(request.user, "catalog.publish", dataset):
        raise PermissionDenied
    form = DatasetForm(request.POST or None, instance=dataset)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        dataset = Dataset.objects.get(pk=dataset.pk)
        try:
            services.update_dataset(actor=request.user, dataset=dataset,
                                    title=form.cleaned_data["title"], **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Jeu de données mis à jour."))
            return redirect(dataset.get_absolute_url())
    return render(request, "catalog/form.html", {"form": form, "dataset": dataset,
                                                 "organization": dataset.publisher})


@login_required
@require_POST
def dataset_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish a draft."""
    dataset = get_object_or_404(Dataset.objects.select_related("publisher"), slug=slug)
    services.publish_dataset(actor=request.user, dataset=dataset)
    messages.success(request, _("Jeu de données publié et inscrit au journal de transparence."))
    return redirect(dataset.get_absolute_url())


@csrf_exempt
def resource_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a resource by upload (streamed to disk, size-limited) or remote URL."""
    # The limited handler must be in place before anything reads the body (CSRF included).
    handler = LimitedUploadHandler(request)
    request.upload_handlers = [handler]
    return _resource_add(request, slug, handler)


@csrf_protect
@login_required
def _resource_add(request: HttpRequest, slug: str, handler: LimitedUploadHandler) -> HttpResponse:
    dataset = get_object_or_404(Dataset.objects.select_related("publisher"), slug=slug)
    if not (has_perm(request.user, "catalog.publish", dataset)):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and handler.too_large:
        form.add_error("file", str(services.UploadTooLarge(handler.limit)))
        return render(request, "catalog/resource_form.html", {"form": form, "dataset": dataset},
                      status=413)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("file"):
            resource = services.create_resource(actor=request.user, dataset=dataset,
                                                title=data["title"],
                                                description=data["description"])
            upload = data["file"]
            staged = services.receive_upload(actor=request.user, resource=resource,
                                             chunks=upload.chunks(), filename=upload.name)
            tasks.start_ingest(actor=request.user, resource=resource, staged=staged,
                                  filename=upload.name)
        else:
            try:
                tasks.create_remote_resource(actor=request.user, dataset=dataset,
                                                title=data["title"],
                                                description=data["description"],
                                                url=data["url"])
            except FetchError as exc:
                form.add_error("url", exc.message)
                return render(request, "catalog/resource_form.html",
                              {"form": form, "dataset": dataset},
                              status=413 if exc.code == "too_large" else 400)
        messages.success(request, _("Fichier reçu : l’import se poursuit en arrière-plan "
                                    "(suivez-le dans « Mes tâches »)."))
        return redirect(dataset.get_absolute_url())
    return render(request, "catalog/resource_form.html", {"form": form, "dataset": dataset},
                  status=400 if request.method == "POST" else 200)




@csrf_exempt
def resource_version(request: HttpRequest, slug: str, rid: str) -> HttpResponse:
    """Send a new version of a resource (the current one serves until the new one is in)."""
    handler = LimitedUploadHandler(request)
    request.upload_handlers = [handler]
    return _resource_version(request, slug, rid, handler)


@csrf_protect
@login_required
def _resource_version(request: HttpRequest, slug: str, rid: str,
                      handler: LimitedUploadHandler) -> HttpResponse:
    resource = get_object_or_404(
        Resource.objects.select_related("dataset__publisher", "current_version"),
        dataset__slug=slug, rid=rid)
    dataset = resource.dataset
    if not has_perm(request.user, "catalog.publish", resource):
        raise PermissionDenied(_("Seul le producteur peut publier une nouvelle version."))
    form = VersionForm(request.POST if request.method == "POST" else None,
                       request.FILES or None)
    context = {"form": form, "dataset": dataset, "resource": resource,
               "versions": selectors.version_history(resource)}
    if request.method == "POST" and handler.too_large:
        form.add_error("file", str(services.UploadTooLarge(handler.limit)))
        return render(request, "catalog/version_form.html", context, status=413)
    if request.method == "POST" and form.is_valid():
        label = _("Nouvelle version de « {title} »").format(title=resource.title)
        upload = form.cleaned_data.get("file")
        if upload:
            staged = services.receive_upload(actor=request.user, resource=resource,
                                             chunks=upload.chunks(), filename=upload.name)
            tasks.start_ingest(actor=request.user, resource=resource, staged=staged,
                                  filename=upload.name, label=label)
        else:
            try:
                tasks.start_fetch(actor=request.user, resource=resource,
                                     url=form.cleaned_data["url"], label=label)
            except FetchError as exc:
                form.add_error("url", exc.message)
                return render(request, "catalog/version_form.html", context, status=400)
        messages.success(request, _("Fichier reçu : la nouvelle version est en préparation ; "
                                    "la version actuelle reste en ligne d’ici là (suivez "
                                    "l’import dans « Mes tâches »)."))
        return redirect(dataset.get_absolute_url() + f"#ressource-{resource.rid}")
    return render(request, "catalog/version_form.html", context,
                  status=400 if request.method == "POST" else 200)
