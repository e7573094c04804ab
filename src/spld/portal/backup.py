"""`spld backup` / `spld restore`: database dump plus data folder, a checksummed manifest."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (pg_dump / pg_restore, fixed argument lists)
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from spld.core import pause
from spld.ledger import log
from spld.rights import keys

FORMAT = "spld-backup/1"
MANIFEST = "manifest.json"
DATA = "data"

# What a backup holds and what stays elsewhere: the operator keeps these apart.
SECRETS_ELSEWHERE = [
    "SPLD_VAULT_MASTER_KEY_PATH (or SPLD_VAULT_MASTER_KEY): the vault master key, never in a "
    "data backup; without it no citizen data opens, with it an erased citizen would reopen",
    "the environment file (SPLD_ENV_FILE, e.g. /etc/spld/env): SPLD_SECRET_KEY, "
    "SPLD_DATABASE_URL password, SPLD_EMAIL_* password, SPLD_OIDC_CLIENT_SECRET",
]
SECRETS_INSIDE = [
    "keys/receipts-ed25519.pem (receipt signing key)",
    "keys/consent-match.key (pending consents' matching key)",
    "log-key (transparency log signing key, when under SPLD_DATA_DIR)",
]


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _database() -> dict[str, Any]:
    return settings.DATABASES["default"]


def _is_sqlite() -> bool:
    return _database()["ENGINE"] == "django.db.backends.sqlite3"


def _excluded(data_dir: Path) -> set[Path]:
    """Files and folders of SPLD_DATA_DIR that never enter a backup."""
    out = {data_dir / "static", pause.lock_path(), keys.legacy_vault_key_path(),
           keys.vault_key_path()}
    if _is_sqlite():
        name = Path(str(_database()["NAME"]))
        out |= {name, Path(f"{name}-wal"), Path(f"{name}-shm"), Path(f"{name}-journal")}
    return {p.resolve() for p in out}


def _data_files(data_dir: Path) -> Iterator[Path]:
    skip = _excluded(data_dir)
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() not in skip)
        for name in sorted(files):
            path = here / name
            if path.resolve() in skip or name.endswith(".tmp") or path.is_symlink():
                continue
            yield path


def _dump_database(dest: Path) -> tuple[str, str]:
    """Write the database dump into dest; returns (file name, method)."""
    db = _database()
    if _is_sqlite():
        connection.ensure_connection()
        target = sqlite3.connect(dest / "database.sqlite3")
        try:
            # The online backup API copies a consistent snapshot while others keep reading.
            connection.connection.backup(target)
        finally:
            target.close()
        return "database.sqlite3", "sqlite-online-backup"
    if db["ENGINE"].endswith("postgresql") and shutil.which("pg_dump"):
        out = dest / "database.pgdump"
        subprocess.run(  # noqa: S603
            [shutil.which("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--file={out}", "--dbname", _pg_name(db)],
            check=True, env=_pg_env(db), capture_output=True,
        )
        return "database.pgdump", "pg_dump"
    out = dest / "database.json.gz"
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        call_command("dumpdata", natural_foreign=True, natural_primary=True,
                     exclude=["contenttypes", "auth.permission", "sessions"], stdout=handle)
    return "database.json.gz", "django-dumpdata"


def _pg_name(db: dict[str, Any]) -> str:
    return str(db["NAME"])


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def backup(dest: Path, *, say: Callable[[str], None] = lambda _m: None,
           timeout: float = 600.0) -> dict[str, Any]:
    """Make a backup in the new folder dest (worker paused); returns the manifest."""
    dest = Path(dest)
    data_dir = Path(settings.DATA_DIR).resolve()
    if dest.resolve() == data_dir or data_dir in dest.resolve().parents:
        raise BackupError(f"{dest} is inside SPLD_DATA_DIR: choose another place")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} already exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    with pause.tasks_paused(timeout):
        say("worker paused")
        # Database first: every file a row names was written before the row was committed.
        db_file, method = _dump_database(dest)
        say(f"database dumped ({method})")
        files = []
        for path in _data_files(data_dir):
            relative = path.relative_to(data_dir)
            target = dest / DATA / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            files.append({"path": f"{DATA}/{relative.as_posix()}",
                          "bytes": target.stat().st_size, "sha256": _sha256(target)})
        size, root = log.current_state()
    say(f"{len(files)} data files copied; worker resumed")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"file": db_file, "method": method, "engine": _database()["ENGINE"],
                     "bytes": (dest / db_file).stat().st_size,
                     "sha256": _sha256(dest / db_file)},
        "log": {"size": size, "root": root.hex()},
        "files": files,
        "excluded": ["static/ (rebuilt by `spld collectstatic`)", "the vault master key"],
        "secrets_inside": SECRETS_INSIDE,
        "secrets_elsewhere": SECRETS_ELSEWHERE,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def verify_backup(src: Path) -> dict[str, Any]:
    """Read the manifest and check every checksum; BackupError naming the first bad file."""
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src / MANIFEST} unreadable: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{src} is not an SPLD backup ({manifest.get('format')!r})")
    entries = [{"path": manifest["database"]["file"], **manifest["database"]},
               *manifest["files"]]
    for entry in entries:
        path = src / entry["path"]
        if not path.is_file():
            raise BackupError(f"{path} is missing from the backup")
        if path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{path} does not match its checksum in the manifest")
    return manifest


def _restore_database(src: Path, manifest: dict[str, Any]) -> None:
    db = _database()
    method = manifest["database"]["method"]
    dump = src / manifest["database"]["file"]
    if method == "sqlite-online-backup":
        if not _is_sqlite():
            raise BackupError("this backup holds a SQLite database; SPLD_DATABASE_URL is not")
        connection.close()
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(str(db["NAME"]))
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    if method == "pg_dump":
        if not db["ENGINE"].endswith("postgresql") or not shutil.which("pg_restore"):
            raise BackupError("a pg_dump backup needs PostgreSQL and pg_restore")
        connection.close()
        subprocess.run(  # noqa: S603
            [shutil.which("pg_restore"), "--clean", "--if-exists", "--no-owner",
             "--no-privileges", "--single-transaction", "--dbname", _pg_name(db), str(dump)],
            check=True, env=_pg_env(db), capture_output=True,
        )
        return
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(dump), verbosity=0)


def restore(src: Path, *, say: Callable[[str], None] = lambda _m: None,
            force: bool = False) -> dict[str, Any]:
    """Check the backup, then put back its database and data files (server and worker stopped)."""
    src = Path(src)
    manifest = verify_backup(src)
    say(f"backup of {manifest['created_at']} verified ({len(manifest['files'])} files)")
    data_dir = Path(settings.DATA_DIR)
    # Files the backup would replace by other content; the demo's generated secret_key is
    # made at every fresh start and the backup's one wins.
    conflicts = [
        entry["path"] for entry in manifest["files"]
        if entry["path"] != f"{DATA}/secret_key"
        and (data_dir / Path(entry["path"]).relative_to(DATA)).is_file()
        and _sha256(data_dir / Path(entry["path"]).relative_to(DATA)) != entry["sha256"]
    ]
    if conflicts and not force:
        raise BackupError(
            f"{data_dir} already holds {len(conflicts)} other files of the same name "
            f"(first: {conflicts[0]}): restore into an empty SPLD_DATA_DIR, or pass --force "
            "to replace them"
        )
    with pause.tasks_paused():
        _restore_database(src, manifest)
        say(f"database restored ({manifest['database']['method']})")
        for entry in manifest["files"]:
            relative = Path(entry["path"]).relative_to(DATA)
            target = data_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".restore-tmp")
            shutil.copy2(src / entry["path"], tmp)
            tmp.replace(target)
        for sensitive in ("keys", "log-key", "secret_key"):
            for path in (data_dir / sensitive,):
                if path.is_file():
                    path.chmod(0o600)
                elif path.is_dir():
                    for child in path.iterdir():
                        child.chmod(0o600)
    say(f"{len(manifest['files'])} data files restored")
    return manifest
