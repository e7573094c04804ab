"""The one-pass ingest answers from writer statistics and value counts exactly like a scan."""

import duckdb
import pytest

from spld.catalog import ingest
from spld.catalog.ingest import IngestError

SCHEMA = {"fields": [
    {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
    {"name": "commune", "type": "string",
     "constraints": {"required": True, "pattern": "29[0-9]{3}", "maxLength": 5}},
    {"name": "ticket", "type": "string", "constraints": {"enum": ["T1H", "MENS"]}},
    {"name": "n", "type": "integer", "constraints": {"minimum": 0, "maximum": 8}},
    {"name": "montant", "type": "number", "constraints": {"minimum": 0}},
    {"name": "jour", "type": "date", "constraints": {"minimum": "2024-01-01"}},
    {"name": "ok", "type": "boolean"},
]}


def _csv(rows):
    return "id,commune,ticket,n,montant,jour,ok\n" + "".join(
        ",".join(str(v) for v in row) + "\n" for row in rows)


GOOD = [(i, ["29019", "29075", "29061"][i % 3], ["T1H", "MENS"][i % 2], i % 9, i * 0.5,
         f"2024-01-{1 + i % 28:02d}", ["true", "false"][i % 2]) for i in range(1, 301)]
BAD = [*GOOD[:150],
       (151, "", "T1H", 1, 1.0, "2024-02-01", "true"),           # required
       (152, "35238", "VELO", 9, -1.5, "2023-12-31", "false"),   # pattern, enum, max, min×2
       (152, "290190", "MENS", -1, 2.0, "2024-02-02", ""),       # unique, pattern, maxLength, min
       *GOOD[153:]]


def _ingest(tmp_path, rows, schema=SCHEMA):
    src = tmp_path / "data.csv"
    src.write_text(_csv(rows))
    return ingest.ingest_file(src, filename="data.csv", dest=tmp_path / "v.parquet",
                              workdir=tmp_path / "work", schema=schema)


def _reference(tmp_path, rows, schema=SCHEMA):
    """Report and profile computed by scanning every row (no statistics, no counts)."""
    src = tmp_path / "ref.csv"
    src.write_text(_csv(rows))
    con = duckdb.connect()
    types = {f["name"]: ingest.SCHEMA_TYPES[f["type"]] for f in schema["fields"]}
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{src}', header=true, "
                "types=" + "{" + ", ".join(f"'{k}': '{v}'" for k, v in types.items()) + "})")
    raw = {r[0]: str(r[1]) for r in con.execute("DESCRIBE raw").fetchall()}
    report, _select = ingest.validate_against_schema(con, schema, raw, False)
    columns = [{"name": n, "type": ingest.duckdb_to_schema_type(t)} for n, t in raw.items()]
    return report, ingest.compute_profile(con, "raw", columns)


def test_errors_found_as_by_a_full_scan(tmp_path):
    with pytest.raises(IngestError) as err:
        _ingest(tmp_path, BAD)
    expected, _profile = _reference(tmp_path, BAD)
    assert err.value.report == expected
    assert err.value.report["errors_by_check"] == {
        "required": 1, "pattern": 2, "enum": 1, "maximum": 1, "minimum": 3, "maxLength": 1,
        "unique": 2}


def test_profile_same_as_a_full_scan(tmp_path):
    rows = [*GOOD, (301, "29019", "", "", "", "", "")]  # a row of missing values
    result = _ingest(tmp_path, rows)
    _report, expected = _reference(tmp_path, rows)
    assert result.report["valid"] and result.profile == expected


def test_columns_without_values(tmp_path):
    schema = {"fields": [{"name": "a", "type": "integer", "constraints": {"minimum": 0}},
                         {"name": "b", "type": "string"}]}
    src = tmp_path / "data.csv"
    src.write_text("a,b\n,x\n,y\n")
    result = ingest.ingest_file(src, filename="data.csv", dest=tmp_path / "v.parquet",
                                workdir=tmp_path / "work", schema=schema)
    column = result.profile["columns"][0]
    assert (column["nulls"], column["min"], column["max"]) == (2, None, None)
