"""docs/installation.md §3 (upgrade): the steps in order, and its `spld` lines run as written."""

import shlex
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands

from spld.catalog.ingest import parquet_column_names, query_db_path
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource
from tests.catalog.test_upgrade_data import _make_old_format
from tests.core.test_install_guide import guide_block

ROOT = Path(__file__).resolve().parents[2]
CLI_ONLY = {"version"}  # handled by spld.cli before Django's commands (test_version.py)
NOT_HERE = {"version": "tested in test_version.py",
            "collectstatic": "file copies, covered by the demo's static checks",
            "check": "--deploy warns on the test settings by design"}


def _position(lines, prefix):
    found = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    assert found, f"the upgrade block lost « {prefix} »"
    return found[0]


def test_upgrade_steps_come_in_the_safe_order():
    lines = guide_block("upgrade")
    order = ["systemctl stop spld-worker", "/opt/spld/venv/bin/pip install --upgrade",
             "sudo -u spld spld migrate", "sudo -u spld spld collectstatic --noinput",
             "sudo -u spld spld upgrade-data", "systemctl restart spld-server",
             "systemctl start spld-worker"]
    positions = [_position(lines, step) for step in order]
    assert positions == sorted(positions), lines
    for line in lines:
        args = shlex.split(line)
        if args[0] == "systemctl":
            for unit in args[2:]:
                assert (ROOT / "deploy" / f"{unit}.service").exists(), unit
        elif args[:4] == ["sudo", "-u", "spld", "spld"]:
            assert args[4] in get_commands() or args[4] in CLI_ONLY, line


@pytest.mark.django_db
def test_the_guide_spld_lines_bring_an_old_version_up(editor, org, capsys):
    resource = make_resource(editor, make_dataset(editor, org), WATER_CSV)
    _make_old_format(resource.current_version)
    for line in guide_block("upgrade"):
        args = shlex.split(line)
        if args[:4] != ["sudo", "-u", "spld", "spld"] or args[4] in NOT_HERE:
            continue
        call_command(*args[4:])
    out = capsys.readouterr().out
    assert "à faire : Parquet réécrit sans __id" in out  # the dry run said it
    resource.refresh_from_db()
    path = resource.current_version.file_path
    assert "__id" not in parquet_column_names(str(path)) and query_db_path(path).exists()
