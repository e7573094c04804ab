"""`spld upgrade-data`: versions of earlier releases (with `__id`, no query database) upgraded."""

import json
from io import StringIO

import duckdb
import pytest
from django.core.management import CommandError, call_command

from spld.catalog.ingest import parquet_column_names, query_db_path, sha256_file
from spld.catalog.models import ResourceVersion
from spld.ledger.models import LogEntry
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource


@pytest.fixture
def resource(editor, org):
    return make_resource(editor, make_dataset(editor, org), WATER_CSV)


def _rows(client, resource):
    body = client.get(f"/api/1/resources/{resource.rid}/data/?page_size=100").json()
    return body["data"], body["meta"]["total"]


def _make_old_format(version):
    """Rewrite a version as releases before the derived database wrote it (with `__id`)."""
    path = version.file_path
    con = duckdb.connect()
    con.execute(f"COPY (SELECT CAST(row_number() OVER () AS BIGINT) AS __id, * "
                f"FROM read_parquet('{path}')) TO '{path}.old' (FORMAT parquet)")
    con.close()
    path.with_name(path.name + ".old").replace(path)
    query_db_path(path).unlink()
    for sidecar in path.parent.glob(path.name + ".*"):
        sidecar.unlink()
    parquet_column_names.cache_clear()
    ResourceVersion.objects.filter(pk=version.pk).update(
        sha256=sha256_file(path), byte_size=path.stat().st_size)
    assert "__id" in parquet_column_names(str(path))


def _run(*args):
    out = StringIO()
    call_command("upgrade-data", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_old_version_is_rewritten_without_id_and_gets_its_query_database(client, resource):
    before, total = _rows(client, resource)
    old = resource.current_version
    _make_old_format(old)
    assert _rows(client, resource) == (before, total)  # old files are read as they are

    dry = _run("--dry-run")
    assert "à faire : Parquet réécrit sans __id, base de requête construite" in dry
    assert "1 versions, 1 à mettre à jour, 0 sans fichier." in dry
    assert old.file_path.exists() and not query_db_path(old.file_path).exists()

    out = _run()
    assert f"[{'#' * 30}] 1/1 {resource.rid} v1 : Parquet réécrit sans __id" in out
    new = ResourceVersion.objects.get(pk=old.pk)
    assert new.path != old.path and not old.file_path.exists()
    assert "__id" not in parquet_column_names(str(new.file_path))
    assert query_db_path(new.file_path).exists()
    assert new.sha256 == sha256_file(new.file_path) != old.sha256
    assert new.byte_size == new.file_path.stat().st_size
    assert new.number == 1 and new.row_count == total == 4
    assert _rows(client, resource) == (before, total)  # same rows, same __id, same order
    entry = LogEntry.objects.filter(action="version_reformatted").get()
    assert json.loads(bytes(entry.payload))["version"]["sha256"] == new.sha256
    assert "a réécrit au format actuel le fichier de" in client.get("/journal/").content.decode()

    again = _run()  # idempotent
    assert "déjà au format actuel" in again and "1 versions, 0 mises à jour" in again
    assert ResourceVersion.objects.get(pk=old.pk).path == new.path
    assert LogEntry.objects.filter(action="version_reformatted").count() == 1


@pytest.mark.django_db
def test_version_without_query_database_only_gets_it_built(client, resource):
    version = resource.current_version
    before = _rows(client, resource)
    query_db_path(version.file_path).unlink()
    out = _run()
    assert "base de requête construite" in out and "réécrit" not in out
    same = ResourceVersion.objects.get(pk=version.pk)
    assert (same.path, same.sha256) == (version.path, version.sha256)
    assert query_db_path(version.file_path).exists()
    assert _rows(client, resource) == before
    assert not LogEntry.objects.filter(action="version_reformatted").exists()


@pytest.mark.django_db
def test_missing_version_file_is_named_and_fails(resource):
    resource.current_version.file_path.unlink()
    with pytest.raises(CommandError, match="Fichiers de version absents"):
        _run()



@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["before rollups", "not a database"])
def test_derived_database_of_an_older_layout_or_broken_is_rebuilt(client, resource, layout):
    version = resource.current_version
    derived = query_db_path(version.file_path)
    derived.unlink()
    if layout == "before rollups":  # the first derived databases held only the rows
        con = duckdb.connect(str(derived))
        con.execute(f"CREATE TABLE data AS SELECT * FROM read_parquet('{version.file_path}')")
        con.close()
    else:
        derived.write_bytes(b"not a duckdb file")
    out = _run()
    assert "base de requête construite" in out and "réécrit" not in out
    con = duckdb.connect(str(derived), read_only=True)
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert {"data", "counts", "rollups"} <= tables
    rows, total = _rows(client, resource)
    assert total == 4 and [r["__id"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["nom"] == "Brest" and rows[3]["nom"] == "Plougastel-Daoulas"
    assert "déjà au format actuel" in _run()
