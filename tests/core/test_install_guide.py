"""docs/installation.md §2 run as written on a fresh PostgreSQL database, in subprocesses.

The database block, the environment file and the preparation commands are read from the
guide itself (the `guide-test` markers), so the guide cannot drift from what works.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.process_support import clean_env, spld_command

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "installation.md"
NAME = "spld_hsetup_guide"  # role and database of this test only
# Interactive or needing the outside world: run by the operator, not here.
NOT_HERE = {"createsuperuser": "asks questions", "sendtestemail": "needs an SMTP server",
            "collectstatic": "a minute of file copies, covered by the demo's static checks"}

pytestmark = pytest.mark.postgres


def guide_block(marker: str) -> list[str]:
    """The lines of the shell block that follows `<!-- guide-test: marker -->`."""
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"<!-- guide-test: {marker} -->\s*```sh\n(.*?)```", text, re.S)
    assert match, f"docs/installation.md lost its '{marker}' block"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


@pytest.fixture
def postgres_admin():
    """Connection options of a PostgreSQL superuser, or a skip with the reason."""
    url = os.environ.get("SPLD_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    match = re.match(r"postgres(?:ql)?://([^:@/]+)(?::[^@]*)?@([^:/]+)(?::(\d+))?/", url)
    assert match, url
    user, host, port = match.group(1), match.group(2), match.group(3) or "5432"
    if not shutil.which("psql") or subprocess.run(
            ["pg_isready", "-q", "-h", host, "-p", port], check=False).returncode != 0:
        if os.environ.get("SPLD_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is not reachable at {host}:{port}", pytrace=False)
        pytest.skip(f"PostgreSQL not reachable at {host}:{port} (or psql missing); "
                    "set SPLD_REQUIRE_POSTGRES=1 to make this a failure")
    options = ["-h", host, "-p", port, "-U", user]
    psql = ["psql", *options, "-v", "ON_ERROR_STOP=1", "-qc"]
    for sql in (f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)", f"DROP ROLE IF EXISTS {NAME}"):
        subprocess.run([*psql, sql, "postgres"], check=True, capture_output=True)
    yield {"host": host, "port": port, "options": options}
    for sql in (f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)", f"DROP ROLE IF EXISTS {NAME}"):
        subprocess.run([*psql, sql, "postgres"], check=False, capture_output=True)


def test_the_production_guide_works_as_written_on_postgresql(postgres_admin, tmp_path):
    # 1. Database: the guide's commands, as the postgres superuser, for this test's names.
    for line in guide_block("database"):
        args = shlex.split(line)
        assert args[:3] == ["sudo", "-u", "postgres"], line
        program, rest = args[3], [re.sub(r"\bspld\b", NAME, a) for a in args[4:]]
        result = subprocess.run([program, *postgres_admin["options"], *rest],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{line}\n{result.stderr}"

    # 2. The environment file, as the guide writes it, pointed at this database and folder.
    password = re.search(r"PASSWORD '([^']+)'", "\n".join(guide_block("database"))).group(1)
    data_dir = tmp_path / "var-lib-spld"
    data_dir.mkdir()
    lines = []
    for line in guide_block("env"):
        key, _, value = line.partition("=")
        if key == "SPLD_DATABASE_URL":
            value = (f"postgres://{NAME}:{password}@{postgres_admin['host']}:"
                     f"{postgres_admin['port']}/{NAME}")
        elif key == "SPLD_DATA_DIR":
            value = str(data_dir)
        lines.append(f"{key}={value}")
    env_file = tmp_path / "etc-spld-env"
    env_file.write_text("\n".join(lines) + "\n")
    keys = {line.partition("=")[0] for line in lines}
    assert {"SPLD_SECRET_KEY", "SPLD_SITE_URL", "SPLD_SITE_NAME", "SPLD_LOG_ORIGIN",
            "SPLD_DATABASE_URL", "SPLD_ALLOWED_HOSTS", "SPLD_HTTPS"} <= keys

    # 3. The preparation commands, with nothing but the environment file.
    env = clean_env(tmp_path, SPLD_ENV_FILE=str(env_file))
    ran = []
    for line in guide_block("commands"):
        args = shlex.split(line)
        assert args[:4] == ["sudo", "-u", "spld", "spld"], line
        if args[4] in NOT_HERE:
            continue
        result = subprocess.run(spld_command(*args[4:]), cwd=tmp_path, env=env,  # noqa: S603
                                capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        ran.append((args[4], result.stdout))
    assert [name for name, _ in ran] == ["migrate", "log", "keys", "check"]
    # The vault master key is outside the data folder (never in a data backup).
    assert (tmp_path / "var-lib-spld-secrets" / "vault-master.key").stat().st_size == 32
    assert not (data_dir / "keys" / "vault-master.key").exists()
    assert "verifier key: donnees.exemple.fr/log+" in ran[1][1]
    assert (data_dir / "log-key").read_text().startswith("PRIVATE+KEY+donnees.exemple.fr/log+")
    # Nothing fell back to SQLite in the data folder.
    assert not list(data_dir.glob("*.sqlite3"))
    unaccent = subprocess.run(
        ["psql", *postgres_admin["options"], "-tAc",
         "SELECT extname FROM pg_extension WHERE extname = 'unaccent'", NAME],
        capture_output=True, text=True, check=True).stdout.strip()
    assert unaccent == "unaccent"
