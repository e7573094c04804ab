"""Background work of the catalogue: ingest an upload, fetch a remote file, harvest.

Tasks call the services and the services never import the tasks: what queues a task
(`start_ingest`, `start_fetch`) lives here, above both.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from spld.catalog import services
from spld.catalog.fetch import FetchError, check_remote_size, fetch_to_file, resolve_safe
from spld.catalog.ingest import IngestError
from spld.catalog.models import Dataset, IngestAttempt, Resource
from spld.core import progress as task_progress
from spld.core import recovery
from spld.core.permissions import TokenActor, require


def serialize_actor(actor: Any) -> dict[str, Any]:
    """A JSON description of an actor, to hand it to a background task."""
    if getattr(actor, "organization", None) is not None and hasattr(actor, "token_id"):
        return {"token": actor.token_id, "org": actor.organization.pk}
    return {"user": getattr(actor, "pk", None)}


def start_ingest(*, actor: Any, resource: Resource, staged: Path, filename: str,
                 label: str = "") -> str:
    """Queue the ingest of a staged file; returns the task id (progress on « Mes tâches »)."""
    require(actor, "catalog.publish", resource)
    with transaction.atomic():
        result = ingest_resource.enqueue(resource.pk, str(staged), filename,
                                         serialize_actor(actor))
        Resource.objects.filter(pk=resource.pk).update(
            ingest_status=Resource.IngestStatus.PENDING, ingest_task_id=str(result.id))
        IngestAttempt.objects.create(resource=resource, task_id=str(result.id),
                                     filename=Path(filename).name[:255])
        task_progress.track(result, owner=actor if hasattr(actor, "memberships") else None,
                            label=label or _("Import de « {title} »").format(
                                title=resource.title))
    return str(result.id)


def create_remote_resource(*, actor: Any, dataset: Dataset, title: str, url: str,
                           description: str = "") -> tuple[Resource, str]:
    """A resource filled from a remote URL; the URL is checked before anything is logged."""
    require(actor, "catalog.publish", dataset)
    # A refused URL must leave no "created" entry behind (and no entry cannot be undone).
    resolve_safe(url)
    with transaction.atomic():
        resource = services.create_resource(actor=actor, dataset=dataset, title=title,
                                            description=description, source_url=url)
        task_id = start_fetch(actor=actor, resource=resource, url=url)
    return resource, task_id


def start_fetch(*, actor: Any, resource: Resource, url: str, label: str = "") -> str:
    """Queue the download (SSRF-safe) and ingest of a remote file; returns the task id."""
    require(actor, "catalog.publish", resource)
    resolve_safe(url)  # refuse private addresses now, with a clear message (checked again later)
    check_remote_size(url)  # a size announced over the limit is refused now (413), not later
    with transaction.atomic():
        result = fetch_resource.enqueue(resource.pk, url, serialize_actor(actor))
        Resource.objects.filter(pk=resource.pk).update(
            source_url=url, ingest_status=Resource.IngestStatus.PENDING,
            ingest_task_id=str(result.id))
        IngestAttempt.objects.create(resource=resource, task_id=str(result.id),
                                     filename=url[-255:])
        task_progress.track(result, owner=actor if hasattr(actor, "memberships") else None,
                            label=label or _("Téléchargement de « {title} »").format(
                                title=resource.title))
    return str(result.id)


def load_actor(spec: dict[str, Any]) -> Any:
    """Rebuild the actor a task runs for (a user or an organisation token)."""
    if "token" in spec:
        from spld.organizations.models import Organization

        return TokenActor(organization=Organization.objects.get(pk=spec["org"]),
                          token_id=spec["token"])
    from spld.accounts.models import User

    return User.objects.get(pk=spec["user"])


def _reporter(task_id: str) -> Any:
    def report(percent: int, message: str) -> None:
        task_progress.report(task_id, done=percent, total=100, message=message)

    return report


def _attempt(task_id: str) -> IngestAttempt | None:
    return IngestAttempt.objects.filter(task_id=task_id).first()


def _unexpected(resource: Resource, attempt: IngestAttempt | None, exc: Exception) -> None:
    services.settle_attempt(resource, attempt, IngestAttempt.Status.FAILED, error=_(
        "Erreur inattendue pendant l’import ({kind}) ; la version déjà publiée reste servie. "
        "Renvoyez le fichier ; si l’erreur persiste, signalez-la à l’équipe du SPLD."
    ).format(kind=type(exc).__name__))


@task(takes_context=True)
def ingest_resource(context: Any, resource_id: int, staged: str, filename: str,
                    actor: dict[str, Any]) -> dict[str, Any]:
    """Ingest a staged upload into a new version of the resource (fails honestly)."""
    resource = Resource.objects.select_related("dataset__publisher").get(pk=resource_id)
    task_id = str(context.task_result.id)
    attempt = _attempt(task_id)
    with _outcome_recorded(task_id, resource, attempt):
        version = services.ingest_staged(
            actor=load_actor(actor), resource=resource, staged=Path(staged), filename=filename,
            progress=_reporter(task_id), attempt=attempt)
    return {"ok": True, "version": version.number, "rows": version.row_count}


@contextlib.contextmanager
def _outcome_recorded(task_id: str, resource: Resource, attempt: Any) -> Iterator[None]:
    """Failures of an ingest or fetch end the task as failed, with the reason recorded."""
    try:
        yield
    except IngestError as exc:
        raise task_progress.fail(task_id, exc.message, exc.code) from exc
    except task_progress.TaskFailed:
        raise  # already recorded with its own message
    except Exception as exc:
        _unexpected(resource, attempt, exc)
        raise


@task(takes_context=True)
def fetch_resource(context: Any, resource_id: int, url: str,
                   actor: dict[str, Any]) -> dict[str, Any]:
    """Download a remote file (SSRF-safe, size and time limits) then ingest it."""
    resource = Resource.objects.select_related("dataset__publisher").get(pk=resource_id)
    task_id = str(context.task_result.id)
    attempt = _attempt(task_id)
    task_progress.report(task_id, done=1, total=100, message=_("téléchargement du fichier"))
    with _outcome_recorded(task_id, resource, attempt):
        if attempt is not None and attempt.version_id:
            version = services.ingest_staged(actor=load_actor(actor), resource=resource,
                                             staged=Path(), filename="", attempt=attempt)
            return {"ok": True, "version": version.number, "rows": version.row_count}
        staged = services.staging_path(url.rsplit("/", 1)[-1].split("?")[0])
        if attempt is not None:  # named after the attempt, so that a lost run's file is found
            staged = staged.with_name(f"fetch-{services.attempt_key(attempt)}{staged.suffix}")
        try:
            name, _size = fetch_to_file(url, staged)
        except FetchError as exc:
            services.discard_staged(staged)
            services._fail(resource, exc, attempt)
            raise task_progress.fail(task_id, exc.message, exc.code) from exc
        version = services.ingest_staged(actor=load_actor(actor), resource=resource,
                                         staged=staged, filename=name,
                                         progress=_reporter(task_id), attempt=attempt)
    return {"ok": True, "version": version.number, "rows": version.row_count}


@recovery.on_lost(ingest_resource)
@recovery.on_lost(fetch_resource)
def _ingest_lost(row: Any, final: bool, message: str) -> None:
    """A worker died during an ingest: remove its leftovers; on the last try, say it failed."""
    attempt = _attempt(str(row.pk))
    resource = Resource.objects.filter(pk=row.args_kwargs["args"][0]).first()
    if resource is None:
        return
    args = row.args_kwargs["args"]
    staged = Path(args[1]) if row.task_path.endswith("ingest_resource") else None
    if attempt is not None:
        services.discard_attempt_files(resource, attempt, staged)
        if staged is None:  # a download: nothing was staged for the retry to reuse
            for path in services.staging_path("").parent.glob(
                    f"fetch-{services.attempt_key(attempt)}*"):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    services.discard_staged(path)
    if final:
        if staged is not None:
            services.discard_staged(staged)
        services.settle_attempt(resource, attempt, IngestAttempt.Status.FAILED, error=message)
    else:
        services.settle_attempt(resource, attempt, IngestAttempt.Status.PENDING)


@task()
def harvest_source(source_id: int, actor: dict[str, Any]) -> dict[str, Any]:
    """Harvest one DCAT or CKAN source."""
    from spld.catalog.harvest import run_harvest
    from spld.catalog.models import HarvestSource

    run = run_harvest(actor=load_actor(actor), source=HarvestSource.objects.get(pk=source_id))
    return {"created": run.created, "updated": run.updated, "deleted": run.deleted,
            "errors": len(run.errors)}


@recovery.on_lost(harvest_source)
def _harvest_lost(row: Any, final: bool, message: str) -> None:
    """A worker died during a harvest: close its open run with the reason (it is idempotent)."""
    from django.utils import timezone

    from spld.catalog.models import HarvestRun

    for run in HarvestRun.objects.filter(source_id=row.args_kwargs["args"][0],
                                         finished_at__isnull=True):
        run.errors = [*run.errors, {"identifier": "", "error": message[:500]}]
        run.finished_at = timezone.now()
        run.save(update_fields=["errors", "finished_at"])
