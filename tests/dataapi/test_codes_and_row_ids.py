"""Codes stay text from ingest to every export; `__id` is in exports only when asked for."""

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.catalog.helpers import make_dataset, make_resource

pytestmark = pytest.mark.django_db

# `commune` holds only digits (the sniffer alone would read 29011 as a number); `cp` has a
# leading zero, `insee` a Corsican code, `lot` leading zeros under a name that says nothing.
CSV = (
    b"insee;commune;cp;lot;nom;population;lat;lon\n"
    b"29011;29011;29200;007;Bohars;3500;48.43;-4.51\n"
    b"2A004;29019;02100;010;Ajaccio;70000;41.92;8.73\n"
    b"29019;29075;20000;123;Brest;139000;48.39;-4.49\n"
)
CODES = {"insee": ["29011", "2A004", "29019"], "commune": ["29011", "29019", "29075"],
         "cp": ["29200", "02100", "20000"], "lot": ["007", "010", "123"]}


@pytest.fixture
def resource(editor, org):
    return make_resource(editor, make_dataset(editor, org, title="Communes"), CSV)


def _get(client, resource, suffix, query=""):
    response = client.get(f"/api/1/resources/{resource.rid}/{suffix}{query}")
    assert response.status_code == 200, response.content
    content = getattr(response, "streaming_content", None)
    return b"".join(content) if content is not None else response.content


def test_codes_are_text_in_the_version_and_the_api(client, resource):
    types = {c["name"]: c["type"] for c in resource.current_version.columns}
    assert {n: types[n] for n in CODES} == dict.fromkeys(CODES, "string")
    assert types["population"] == "integer" and types["lat"] == "number"
    rows = json.loads(_get(client, resource, "data/"))["data"]
    for name, values in CODES.items():
        assert [r[name] for r in rows] == values
    assert rows[0]["__id"] == 1  # the records API numbers its rows
    # Filtering a code compares text: 29011 finds its row, the leading zero is kept.
    found = json.loads(_get(client, resource, "data/", "?cp__exact=02100"))["data"]
    assert [r["nom"] for r in found] == ["Ajaccio"]


def test_csv_export_keeps_codes_and_has_no_row_ids_unless_asked(client, resource):
    text = _get(client, resource, "data/csv/").decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["insee", "commune", "cp", "lot", "nom", "population", "lat", "lon"]
    for name, values in CODES.items():
        assert [r[name] for r in rows] == values
    filtered = _get(client, resource, "data/csv/", "?population__greater=5000").decode()
    assert filtered.splitlines()[0].startswith("insee,")
    asked = list(csv.DictReader(io.StringIO(
        _get(client, resource, "data/csv/", "?row_ids=true").decode())))
    assert [r["__id"] for r in asked] == ["1", "2", "3"] and asked[1]["cp"] == "02100"
    bad = client.get(f"/api/1/resources/{resource.rid}/data/csv/?row_ids=peut-etre")
    assert bad.status_code == 400 and "row_ids" in bad.json()["error"]["message"]


def test_json_parquet_geojson_exports_keep_codes_as_text(client, resource):
    rows = json.loads(_get(client, resource, "data/json/"))
    assert "__id" not in rows[0]
    for name, values in CODES.items():
        assert [r[name] for r in rows] == values
    for query in ("", "?population__greater=0", "?row_ids=true"):
        table = pq.read_table(io.BytesIO(_get(client, resource, "data/parquet/", query)))
        for name, values in CODES.items():
            assert pa.types.is_string(table.schema.field(name).type), (query, name)
            assert table.column(name).to_pylist() == values
        assert ("__id" in table.column_names) == (query == "?row_ids=true"), query
    doc = json.loads(_get(client, resource, "data/geojson/"))
    props = doc["features"][1]["properties"]
    assert props["insee"] == "2A004" and props["cp"] == "02100" and "__id" not in props
    with_ids = json.loads(_get(client, resource, "data/geojson/", "?row_ids=1"))
    assert with_ids["features"][1]["properties"]["__id"] == 2


def test_a_csv_export_ingested_again_keeps_its_codes(client, resource, editor, org):
    exported = _get(client, resource, "data/csv/")
    again = make_resource(editor, make_dataset(editor, org, title="Copie"), exported,
                          filename="copie.csv")
    types = {c["name"]: c["type"] for c in again.current_version.columns}
    assert {n: types[n] for n in CODES} == dict.fromkeys(CODES, "string")
    rows = json.loads(_get(client, again, "data/json/"))
    assert [r["cp"] for r in rows] == CODES["cp"]


def test_a_schema_still_decides_the_type_of_a_code_named_column(editor, org):
    schema = {"fields": [{"name": "code", "type": "integer"}, {"name": "nom", "type": "string"}]}
    resource = make_resource(editor, make_dataset(editor, org, title="Typé", schema=schema),
                             b"code,nom\n1,a\n2,b\n")
    types = {c["name"]: c["type"] for c in resource.current_version.columns}
    assert types == {"code": "integer", "nom": "string"}


def test_codes_stay_text_from_spreadsheets_and_json(client, editor, org):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["code_insee", "cp", "habitants"])
    workbook.active.append([29019, "02100", 139000])  # a number cell and a text cell
    workbook.active.append(["2A004", "20000", 70000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    dataset = make_dataset(editor, org, title="Classeur")
    xlsx = make_resource(editor, dataset, buffer.getvalue(), "communes.xlsx")
    rows = json.loads(_get(client, xlsx, "data/json/"))
    assert [(r["code_insee"], r["cp"]) for r in rows] == [("29019", "02100"), ("2A004", "20000")]
    assert rows[0]["habitants"] == 139000
    doc = [{"commune": 29019, "nom": "Brest", "places": 10},
           {"commune": 29011, "nom": "Bohars", "places": 2}]
    from_json = make_resource(editor, dataset, json.dumps(doc).encode(), "communes.json")
    types = {c["name"]: c["type"] for c in from_json.current_version.columns}
    assert types == {"commune": "string", "nom": "string", "places": "integer"}
    assert [r["commune"] for r in json.loads(_get(client, from_json, "data/json/"))] == [
        "29019", "29011"]
