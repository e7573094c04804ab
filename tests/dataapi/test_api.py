"""Data API: tabular query syntax, aggregates, paging, exports, access levels, logged reads."""

import io
import json

import pyarrow.parquet as pq
import pytest

from spld.dataapi.models import DataRead
from tests.catalog.helpers import make_dataset, make_resource
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CSV = (
    "arret;ligne;commune;montees;montant;jour;note\n"
    "Liberté;A;29019;120;12,5;2024-01-01;=HYPERLIEN(\"x\")\n"
    "Liberté;A;29019;80;8,25;2024-01-02;+33 6\n"
    "Château;1;29019;45;4,5;2024-01-01;-moins\n"
    "Gouesnou Centre;2;29061;10;1;2024-01-03;@arobase\n"
    "Guipavas Mairie;2;29075;0;0;2024-01-04;\n"
    "Porte de Gouesnou;A;29019;33;3,3;2024-01-05;O'Brien\n"
).encode()


@pytest.fixture
def resource(editor, org):
    return make_resource(editor, make_dataset(editor, org, title="Validations"), CSV)


def url(resource, suffix="data/"):
    return f"/api/1/resources/{resource.rid}/{suffix}"


def test_envelope_and_default_page(client, resource):
    body = client.get(url(resource)).json()
    assert body["meta"] == {"total": 6, "page": 1, "page_size": 20}
    assert body["links"]["next"] is None and body["links"]["prev"] is None
    assert body["data"][0]["arret"] == "Liberté" and body["data"][0]["__id"] == 1
    assert body["data"][0]["montant"] == 12.5 and body["data"][0]["jour"] == "2024-01-01"


@pytest.mark.parametrize(("query", "expected"), [
    ("ligne__exact=A", [1, 2, 6]),
    ("ligne__differs=A", [3, 4, 5]),
    ("arret__contains=gouesnou", [4, 6]),
    ("arret__notcontains=gouesnou", [1, 2, 3, 5]),
    ("commune__in=29061,29075", [4, 5]),
    ("commune__notin=29019", [4, 5]),
    ("montees__less=45", [4, 5, 6, 3][:3] + [3]),
    ("montees__greater=80", [1, 2]),
    ("montees__strictly_less=45", [4, 5, 6]),
    ("montees__strictly_greater=80", [1]),
    ("note__isnull", [5]),
    ("note__isnotnull", [1, 2, 3, 4, 6]),
    ("jour__greater=2024-01-04", [5, 6]),
    ("montant__less=1,0", [4, 5]),
])
def test_filters(client, resource, query, expected):
    response = client.get(url(resource) + "?" + query + "&page_size=100")
    assert response.status_code == 200, response.content
    assert sorted(r["__id"] for r in response.json()["data"]) == sorted(set(expected))


def test_sort_columns_and_paging(client, resource):
    body = client.get(url(resource) + "?montees__sort=desc&columns=arret,montees&page=2"
                      "&page_size=2").json()
    assert body["data"] == [{"arret": "Château", "montees": 45},
                            {"arret": "Porte de Gouesnou", "montees": 33}]
    assert body["meta"] == {"total": 6, "page": 2, "page_size": 2}
    assert "page=3" in body["links"]["next"] and "page=1" in body["links"]["prev"]


def test_page_beyond_the_end_is_empty_not_an_error(client, resource):
    response = client.get(url(resource) + "?page=99")
    assert response.status_code == 200
    assert response.json()["data"] == [] and response.json()["meta"]["total"] == 6


def test_aggregates(client, resource):
    body = client.get(url(resource) + "?ligne__groupby&montees__sum&montees__count"
                      "&montant__avg&montees__max&montees__min").json()
    by_line = {r["ligne"]: r for r in body["data"]}
    assert by_line["A"]["montees__sum"] == 233 and by_line["A"]["montees__count"] == 3
    assert by_line["2"]["montees__max"] == 10 and by_line["2"]["montees__min"] == 0
    assert body["meta"]["total"] == 3


@pytest.mark.parametrize("query", [
    "nope__exact=1", "arret__explode=1", "unknown=1", "columns=arret,nope",
    "page_size=10001", "page=0", "page=abc", "montees__exact=abc", "arret__sum",
    "montees__sort=sideways",
])
def test_bad_parameters_are_400_with_valid_columns(client, resource, query):
    response = client.get(url(resource) + "?" + query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_query" and error["message"]
    if "nope" in query or "unknown" in query or "explode" in query:
        assert "arret" in error["message"] and "montees" in json.dumps(error["fields"])


@pytest.mark.parametrize("value", ["' OR 1=1 --", "A\"; DROP TABLE x; --", "%", "_",
                                   "Liberté' UNION SELECT 1"])
def test_sql_and_quotes_in_values_are_plain_values(client, resource, value):
    for op in ("exact", "contains", "in"):
        response = client.get(url(resource), {f"arret__{op}": value})
        assert response.status_code == 200 and response.json()["data"] == []
    response = client.get(url(resource), {"note__exact": "O'Brien"})
    assert [r["__id"] for r in response.json()["data"]] == [6]


def test_profile(client, resource):
    body = client.get(url(resource, "profile/")).json()
    cols = {c["name"]: c for c in body["profile"]["columns"]}
    assert body["rows"] == 6 and cols["note"]["nulls"] == 1 and cols["montees"]["max"] == "120"
    assert cols["ligne"]["top_counts"][0] == {"value": "A", "count": 3}


def test_csv_export_escapes_formulas_and_keeps_filters(client, resource):
    response = client.get(url(resource, "data/csv/"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLIEN" in text and "'+33 6" in text and "'-moins" in text
    assert "'@arobase" in text and "\n=" not in text and ",=" not in text
    filtered = b"".join(client.get(url(resource, "data/csv/") + "?ligne__exact=2")
                        .streaming_content).decode().strip().splitlines()
    assert len(filtered) == 3 and filtered[0].startswith("arret,")
    empty = b"".join(client.get(url(resource, "data/csv/") + "?ligne__exact=Z")
                     .streaming_content).decode()
    assert empty.startswith("arret,")


def test_json_parquet_exports(client, resource):
    rows = json.loads(b"".join(client.get(url(resource, "data/json/") + "?commune__exact=29019")
                               .streaming_content))
    assert len(rows) == 4 and rows[0]["arret"] == "Liberté"
    assert json.loads(b"".join(client.get(url(resource, "data/json/") + "?ligne__exact=Z")
                               .streaming_content)) == []
    full = b"".join(client.get(url(resource, "data/parquet/")).streaming_content)
    assert pq.read_table(io.BytesIO(full)).num_rows == 6
    part = b"".join(client.get(url(resource, "data/parquet/") + "?ligne__exact=A")
                    .streaming_content)
    assert pq.read_table(io.BytesIO(part)).num_rows == 3
    response = client.get(url(resource, "data/geojson/"))
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_geometry"


def test_geojson_export_from_lat_lon(client, editor, org):
    data = b"nom,lat,lon\nPhare,48.38,-4.49\nPort,48.39,-4.48\n"
    res = make_resource(editor, make_dataset(editor, org, title="Points"), data)
    doc = json.loads(b"".join(client.get(url(res, "data/geojson/")).streaming_content))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 2
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [-4.49, 48.38]}
    assert doc["features"][0]["properties"]["nom"] == "Phare"


def test_unknown_resource_is_404(client):
    assert client.get("/api/1/resources/not-a-uuid/data/").status_code == 404
    response = client.get("/api/1/resources/00000000-0000-0000-0000-000000000000/data/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("level", "who", "status"), [
    ("open", "anonymous", 200), ("open", "citizen", 200),
    ("shared", "anonymous", 403), ("shared", "citizen", 403), ("shared", "other_member", 403),
    ("shared", "flow_recipient", 200), ("restricted", "flow_recipient", 403),
    ("shared", "token", 200), ("shared", "publisher", 200), ("shared", "admin", 200),
    ("restricted", "anonymous", 403), ("restricted", "citizen", 403),
    ("restricted", "other_member", 403), ("restricted", "publisher", 200),
    ("restricted", "admin", 200), ("restricted", "token", 200),
])
def test_access_levels(client, editor, org, other_org, citizen, spld_admin, api_token,
                       level, who, status):
    dataset = make_dataset(editor, org, access_level=level,
                           licence="etalab-2.0" if level == "open" else "shared")
    res = make_resource(editor, dataset, CSV)
    headers = {}
    if who == "citizen":
        client.force_login(citizen)
    elif who == "other_member":
        client.force_login(make_user(memberships=[(other_org, "editor")]))
    elif who == "flow_recipient":
        from spld.registers.services import create_data_flow

        create_data_flow(actor=spld_admin, organization=org, recipient=other_org,
                         datasets=[dataset], purpose="Étude", ground="convention")
        client.force_login(make_user(memberships=[(other_org, "editor")]))
    elif who == "publisher":
        client.force_login(editor)
    elif who == "admin":
        client.force_login(spld_admin)
    elif who == "token":
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}
    for suffix in ("data/", "profile/", "data/csv/", "data/json/", "data/parquet/"):
        assert client.get(url(res, suffix), **headers).status_code == status, suffix
    reads = DataRead.objects.filter(resource=res).count()
    assert reads == (0 if level == "open" or status != 200 else 5)


def test_bad_token_is_401(client, resource):
    response = client.get(url(resource), HTTP_AUTHORIZATION="Bearer spld_nope")
    assert response.status_code == 401


def test_read_log_records_who(client, editor, org, other_org, spld_admin):
    from spld.registers.services import create_data_flow

    dataset = make_dataset(editor, org, access_level="shared", licence="shared")
    res = make_resource(editor, dataset, CSV)
    create_data_flow(actor=spld_admin, organization=org, recipient=other_org,
                     datasets=[dataset], purpose="Étude", ground="convention")
    reader = make_user(memberships=[(other_org, "editor")])
    client.force_login(reader)
    client.get(url(res) + "?ligne__exact=A")
    entry = DataRead.objects.get(resource=res)
    assert entry.user == reader and entry.kind == "records" and "ligne__exact=A" in entry.query


def test_precomputed_totals_match_real_counts(client, resource):
    for query, total in (("ligne__exact=A", 3), ("ligne__exact=Z", 0), ("commune__exact=29019", 4),
                         ("montees__exact=0", 1), ("ligne__exact=A&commune__exact=29019", 3)):
        assert client.get(url(resource) + "?" + query).json()["meta"]["total"] == total, query


HOSTILE = ["", "0", "-1", "999999999999999999999", "1.5", "abc", "' OR 1=1 --", "<script>",
           "%00", "é", "a" * 300, "=cmd|' /C calc'!A0", "null", "2024-02-30", ",", "a,b,,"]


def test_fuzzing_every_operator_and_column_never_gives_500(client, resource):
    from spld.dataapi.engine import OPERATORS

    columns = ["__id", "arret", "montees", "montant", "jour"]  # one per type
    for column in columns:
        for op in OPERATORS:
            for value in HOSTILE[::3] if op not in ("exact", "in", "less") else HOSTILE:
                response = client.get(url(resource), {f"{column}__{op}": value})
                assert response.status_code in (200, 400), (column, op, value,
                                                            response.content[:200])
    for suffix in ("data/csv/", "data/json/", "data/parquet/", "data/geojson/"):
        response = client.get(url(resource, suffix), {"montees__less": "abc"})
        assert response.status_code == 400
