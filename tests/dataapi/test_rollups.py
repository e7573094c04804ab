"""Group-bys over a whole table read from rollups give exactly what a scan gives."""

import math

import duckdb
import pytest

from spld.catalog.ingest import parquet_rows
from spld.dataapi import engine
from tests.catalog.helpers import make_dataset, make_resource

pytestmark = pytest.mark.django_db

LINES = ["A", "1", "2", ""]  # "" is a missing value: its own group
CSV = ("ligne;jour;montees;montant;arret\n" + "".join(
    f"{LINES[i % 4]};2024-01-0{1 + i % 3};{'' if i % 7 == 0 else i % 11};"
    f"{'' if i % 5 == 0 else f'{i * 1.25:.2f}'.replace('.', ',')};Arret {i % 13}\n"
    for i in range(60))).encode()


@pytest.fixture
def resource(editor, org):
    return make_resource(editor, make_dataset(editor, org, title="Montées"), CSV)


def _scan(resource, sql_outputs, group, order="ASC"):
    """The same group-by computed by DuckDB over the Parquet file, as a reference."""
    con = duckdb.connect()
    src = parquet_rows(resource.current_version.file_path)
    return con.execute(f'SELECT "{group}", {sql_outputs} FROM {src} GROUP BY 1 '
                       f'ORDER BY 1 {order} NULLS LAST').fetchall()


def _api(client, resource, query):
    body = client.get(f"/api/1/resources/{resource.rid}/data/?{query}").json()
    return [tuple(row.values()) for row in body["data"]], body["meta"]


def _same(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        for a, b in zip(g, e, strict=True):
            assert (a == b or (isinstance(a, float) and math.isclose(a, b, rel_tol=1e-12))
                    or str(a) == str(b)), (g, e)


@pytest.mark.parametrize(("group", "query", "outputs"), [
    ("ligne", "montees__sum&montant__sum&montees__count",
     "sum(montees), sum(montant), count(montees)"),
    ("ligne", "montant__avg&montees__avg&montees__min&montant__max",
     "avg(montant), avg(montees), min(montees), max(montant)"),
    ("jour", "montees__min&montant__max&jour__count&ligne__count",
     "min(montees), max(montant), count(jour), count(ligne)"),
    ("montees", "montant__sum", "sum(montant)"),
])
def test_rollup_answers_like_a_scan(client, resource, group, query, outputs):
    parsed = engine.parse_query(dict(p.split("=") if "=" in p else (p, "") for p in
                                     f"{group}__groupby&{query}".split("&")),
                                {c["name"]: c["type"] for c in resource.current_version.columns})
    got, meta = _api(client, resource, f"{group}__groupby&{query}")
    assert engine._rollup(parsed, str(resource.current_version.file_path)) is not None
    _same(got, _scan(resource, outputs, group))
    assert meta["total"] == len(got)


def test_rollup_sorts_and_pages(client, resource):
    got, meta = _api(client, resource, "arret__groupby&montees__sum&arret__sort=desc"
                                       "&page=2&page_size=5")
    expected = _scan(resource, "sum(montees)", "arret", order="DESC")[5:10]
    _same(got, expected)
    assert meta["total"] == 13


def test_text_extremes_are_scanned(client, resource):
    parsed = engine.parse_query({"jour__groupby": "", "arret__min": "", "arret__max": ""},
                                {c["name"]: c["type"] for c in resource.current_version.columns})
    assert engine._rollup(parsed, str(resource.current_version.file_path)) is None
    got, _meta = _api(client, resource, "jour__groupby&arret__min&arret__max")
    _same(got, _scan(resource, "min(arret), max(arret)", "jour"))


def test_filtered_group_by_scans(client, resource):
    query = "ligne__groupby&montees__sum&jour__exact=2024-01-02"
    parsed = engine.parse_query({"ligne__groupby": "", "montees__sum": "",
                                 "jour__exact": "2024-01-02"},
                                {c["name"]: c["type"] for c in resource.current_version.columns})
    assert engine._rollup(parsed, str(resource.current_version.file_path)) is None
    got, _meta = _api(client, resource, query)
    con = duckdb.connect()
    expected = con.execute(
        f"SELECT ligne, sum(montees) FROM {parquet_rows(resource.current_version.file_path)} "
        "WHERE jour = DATE '2024-01-02' GROUP BY 1 ORDER BY 1 NULLS LAST").fetchall()
    _same(got, expected)
