"""Ingestion: formats, encodings, delimiters, validation and every bad input of the issue."""

import io
import json
import zipfile

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied

from spld.catalog import services, tasks
from spld.catalog.ingest import IngestError
from spld.catalog.models import Resource
from spld.ledger.models import LogEntry
from tests.catalog.helpers import WATER_CSV, ingest_bytes, make_dataset, make_resource

pytestmark = pytest.mark.django_db


def _types(version):
    return {c["name"]: c["type"] for c in version.columns}


def test_semicolon_decimal_comma_and_french_dates(editor, org):
    resource = make_resource(editor, make_dataset(editor, org), WATER_CSV)
    version = resource.current_version
    assert version.delimiter == ";" and version.row_count == 4
    assert _types(version) == {"commune": "string", "nom": "string", "annee": "integer",
                               "volume_m3": "number", "date_releve": "date"}
    assert pq.read_table(version.file_path).column("volume_m3").to_pylist()[0] == 1234567.5
    profile = {c["name"]: c for c in version.profile["columns"]}
    assert profile["volume_m3"]["max"] == "1234567.5" and profile["nom"]["nulls"] == 0
    assert LogEntry.objects.filter(subject_id=str(resource.rid),
                                   action="version_published").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "iso-8859-15"])
def test_encodings(editor, org, encoding):
    data = "ville,libellé\n29019,Brest été\n29011,Bohars\n".encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    version = make_resource(editor, make_dataset(editor, org), data).current_version
    assert pq.read_table(version.file_path).column("libellé").to_pylist()[0] == "Brest été"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(editor, org, delimiter):
    data = delimiter.join(["a", "b", "c"]) + "\n" + delimiter.join(["1", "x", "2.5"]) + "\n"
    version = make_resource(editor, make_dataset(editor, org), data.encode()).current_version
    assert version.delimiter == delimiter and version.column_names == ["a", "b", "c"]


def test_xlsx_ods_json_geojson_parquet(editor, org, tmp_path):
    dataset = make_dataset(editor, org)
    wb = openpyxl.Workbook()
    wb.active.append(["commune", "tonnes"])
    wb.active.append(["Brest", 12.5])
    wb.active.append(["Guilers", 3])
    buf = io.BytesIO()
    wb.save(buf)
    v = make_resource(editor, dataset, buf.getvalue(), "dechets.xlsx").current_version
    assert v.source_format == "xlsx" and _types(v)["tonnes"] == "number" and v.row_count == 2

    v = make_resource(editor, dataset, json.dumps([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
                      .encode(), "d.json").current_version
    assert v.source_format == "json" and _types(v) == {"a": "integer", "b": "string"}

    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-4.48, 48.39]},
         "properties": {"nom": "Brest", "places": 10}}]}
    v = make_resource(editor, dataset, json.dumps(geo).encode(), "p.geojson").current_version
    assert v.source_format == "geojson" and v.geometry_column == "geometry"

    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"k": [1, 2, 3]}), path)
    v = make_resource(editor, dataset, path.read_bytes(), "x.parquet").current_version
    assert v.source_format == "parquet" and v.row_count == 3


def _ods_cell(value):
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return ('<table:table-cell office:value-type="string">'
            f"<text:p>{value}</text:p></table:table-cell>")


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="f">'
    + "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
              for row in [["salle", "entrees"], ["Arena", 4200]])
    + "</table:table></office:spreadsheet></office:body></office:document-content>"
)


def test_ods(editor, org):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", ODS_CONTENT)
        zf.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest='
                    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    v = make_resource(editor, make_dataset(editor, org), buf.getvalue(), "f.ods").current_version
    assert v.source_format == "ods" and _types(v) == {"salle": "string", "entrees": "integer"}


SCHEMA = {"fields": [
    {"name": "code", "type": "string", "constraints": {"required": True, "unique": True,
                                                       "pattern": "29[0-9]{3}"}},
    {"name": "type", "type": "string", "constraints": {"enum": ["verre", "papier"]}},
    {"name": "tonnes", "type": "number", "constraints": {"minimum": 0, "maximum": 1000}},
    {"name": "nom", "type": "string", "constraints": {"minLength": 2, "maxLength": 10}},
    {"name": "jour", "type": "date"},
]}


def test_validation_report_rows_and_columns_and_failed_ingest_keeps_previous(editor, org):
    dataset = make_dataset(editor, org, schema=SCHEMA)
    good = b"code,type,tonnes,nom,jour\n29019,verre,12.5,Brest,2024-01-02\n"
    resource = make_resource(editor, dataset, good)
    first = resource.current_version
    bad = (b"code,type,tonnes,nom,jour\n29019,verre,12.5,Brest,2024-01-02\n"
           b"29019,plastique,-3,B,pas-une-date\n,papier,2000,Guipavas-la-longue,2024-01-03\n"
           b"35238,verre,1,Rennes,2024-01-04\n")
    with pytest.raises(IngestError) as err:
        ingest_bytes(editor, resource, bad)
    report = err.value.report
    found = {(e["row"], e["column"], e["check"]) for e in report["errors"]}
    assert {(1, "code", "unique"), (2, "code", "unique"), (2, "type", "enum"),
            (2, "tonnes", "minimum"), (2, "nom", "minLength"), (2, "jour", "type"),
            (3, "code", "required"), (3, "tonnes", "maximum"), (3, "nom", "maxLength"),
            (4, "code", "pattern")} <= found
    assert report["error_count"] == len(found)
    resource.refresh_from_db()
    assert resource.current_version == first and resource.ingest_status == "failed"
    assert resource.ingest_report["error_count"] == report["error_count"]
    assert resource.versions.count() == 1


BAD_INPUTS = [
    (b"a,b\n1,2\n3,4,5\n6,7\n", "ragged_rows"),
    (b"a;b\n1;\xff\xfe\x00\x01\n", "undecodable"),
    (b"a;b\n1;\x81\x8d\x9d\x90\n", "undecodable"),
    (b"a,b,a\n1,2,3\n", "duplicate_header"),
    (b"a,,c\n1,2,3\n", "empty_header"),
    (b"", "empty_file"),
]


@pytest.mark.parametrize(("data", "code"), BAD_INPUTS)
def test_bad_inputs_publish_nothing(editor, org, data, code):
    resource = make_resource(editor, make_dataset(editor, org))
    with pytest.raises(IngestError) as err:
        ingest_bytes(editor, resource, data)
    assert err.value.code == code and err.value.message
    resource.refresh_from_db()
    assert resource.current_version is None and resource.versions.count() == 0
    assert resource.ingest_status == Resource.IngestStatus.FAILED and resource.ingest_error


def test_xlsx_zip_bomb_refused(editor, org):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    resource = make_resource(editor, make_dataset(editor, org))
    with pytest.raises(IngestError) as err:
        ingest_bytes(editor, resource, buf.getvalue(), "bombe.xlsx")
    assert err.value.code == "zip_bomb"


def test_upload_over_limit_is_refused_and_nothing_kept(editor, org, settings):
    settings.SPLD_UPLOAD_MAX_BYTES = 1000
    resource = make_resource(editor, make_dataset(editor, org))
    with pytest.raises(services.UploadTooLarge):
        services.receive_upload(actor=editor, resource=resource,
                                chunks=[b"a" * 600, b"b" * 600], filename="x.csv")
    assert not list((settings.DATA_DIR / "uploads").glob("*"))


def test_only_publisher_members_ingest(editor, other_org, citizen, org):
    resource = make_resource(editor, make_dataset(editor, org))
    from tests.factories import make_user

    stranger = make_user(memberships=[(other_org, "editor")])
    for actor in (citizen, stranger):
        with pytest.raises(PermissionDenied):
            services.receive_upload(actor=actor, resource=resource, chunks=[b"a"],
                                    filename="x.csv")


@pytest.mark.django_db(transaction=True)
def test_ingest_runs_as_a_task_with_progress(editor, org):
    from django.core.management import call_command

    from spld.core.models import TaskProgress

    resource = make_resource(editor, make_dataset(editor, org))
    staged = services.receive_upload(actor=editor, resource=resource, chunks=[WATER_CSV],
                                     filename="eau.csv")
    task_id = tasks.start_ingest(actor=editor, resource=resource, staged=staged,
                                 filename="eau.csv")
    resource.refresh_from_db()
    assert resource.ingest_status == "pending"
    call_command("db_worker", batch=True, reload=False)
    resource.refresh_from_db()
    assert resource.ingest_status == "ok" and resource.current_version.row_count == 4
    assert TaskProgress.objects.get(task_id=task_id).percent == 100


def test_type_error_beyond_the_sniffer_sample_is_reported_with_its_row(editor, org):
    body = b"n,label\n" + b"".join(b"%d,x\n" % i for i in range(30000)) + b"abc,y\n"
    plain = make_resource(editor, make_dataset(editor, org), body).current_version
    assert _types(plain)["n"] == "string" and plain.row_count == 30001
    schema = {"fields": [{"name": "n", "type": "integer"}, {"name": "label", "type": "string"}]}
    resource = make_resource(editor, make_dataset(editor, org, title="Typé", schema=schema))
    with pytest.raises(IngestError) as err:
        ingest_bytes(editor, resource, body)
    assert err.value.report["errors"] == [{"row": 30001, "column": "n", "check": "type",
                                           "value": "abc",
                                           "message": "valeur non conforme au type integer"}]


def test_schema_booleans_french_and_custom_formats(editor, org):
    schema = {"fields": [{"name": "ouvert", "type": "boolean"},
                         {"name": "jour", "type": "date", "format": "%d/%m/%Y"},
                         {"name": "montant", "type": "number", "decimalChar": ","}]}
    data = b"ouvert;jour;montant\noui;31/12/2024;12,5\nnon;01/01/2025;3\n"
    version = make_resource(editor, make_dataset(editor, org, schema=schema),
                            data).current_version
    table = pq.read_table(version.file_path)
    assert table.column("ouvert").to_pylist() == [True, False]
    assert str(table.column("jour").to_pylist()[0]) == "2024-12-31"
    assert table.column("montant").to_pylist() == [12.5, 3.0]
