"""Row numbers (`__id`): derived from the row's position in the version's Parquet file."""

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from spld.catalog.ingest import parquet_rows, query_db_path
from tests.catalog.helpers import make_dataset, make_resource

pytestmark = pytest.mark.django_db

CSV = b"arret;montees\nLiberte;5\nChateau;7\nGouesnou;9\n"


def _ids(client, resource, query=""):
    body = client.get(f"/api/1/resources/{resource.rid}/data/{query}").json()
    return [(r["__id"], r["arret"]) for r in body["data"]]


def test_version_file_holds_only_the_data(client, editor, org):
    resource = make_resource(editor, make_dataset(editor, org), CSV)
    assert pq.read_table(resource.current_version.file_path).column_names == ["arret", "montees"]
    assert _ids(client, resource) == [(1, "Liberte"), (2, "Chateau"), (3, "Gouesnou")]
    assert _ids(client, resource, "?montees__greater=7&__id__sort=desc") == [
        (3, "Gouesnou"), (2, "Chateau")]


def test_same_numbers_without_the_query_database(client, editor, org):
    resource = make_resource(editor, make_dataset(editor, org), CSV)
    query_db_path(resource.current_version.file_path).unlink()  # served from Parquet alone
    assert _ids(client, resource, "?__id__exact=2") == [(2, "Chateau")]
    assert _ids(client, resource, "?__id__strictly_greater=1&montees__sort=desc&page=1") == [
        (3, "Gouesnou"), (2, "Chateau")]


def test_a_column_named_like_duckdb_virtual_one(client, editor, org):
    data = b"file_row_number;arret\n70;Liberte\n80;Chateau\n"
    resource = make_resource(editor, make_dataset(editor, org), data)
    rows = client.get(f"/api/1/resources/{resource.rid}/data/").json()["data"]
    assert [(r["__id"], r["file_row_number"]) for r in rows] == [(1, 70), (2, 80)]


def test_parquet_rows_reads_each_kind_of_file(tmp_path):
    files = {
        "plain": pa.table({"x": [10, 20]}),
        "own_ids": pa.table({"__id": [5, 6], "x": [10, 20]}),  # written by earlier versions
        "shadowed": pa.table({"file_row_number": [9, 9], "x": [10, 20]}),
    }
    expected = {"plain": [(1, 10), (2, 20)], "own_ids": [(5, 10), (6, 20)],
                "shadowed": [(1, 10), (2, 20)]}
    for name, table in files.items():
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table, path)
        got = duckdb.connect().execute(
            f"SELECT __id, x FROM {parquet_rows(path)} ORDER BY __id").fetchall()
        assert got == expected[name], name
