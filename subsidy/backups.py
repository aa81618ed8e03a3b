"""Backups of the whole system: the PostgreSQL database and the private documents store.

A backup directory holds three files:

- `database.dump`: `pg_dump -Fc` (custom format, no owners or privileges, so it
  restores into a database owned by another role);
- `files.tar`: every file under PRIVATE_STORAGE_ROOT (uploaded evidence, issued
  letters), paths relative to it;
- `manifest.json`: row counts per table, taken in the very snapshot the dump is made
  from (`pg_export_snapshot` / `pg_dump --snapshot`), the SHA-256 and size of the dump
  and of the archive, and the SHA-256 of every stored file.

The files are archived after the database snapshot: files are only ever added under
new names, so every file a dumped row refers to is in the archive.

A restore checks the dump and the archive against the manifest before touching
anything, refuses a target database or storage directory that is not empty unless
forced, restores, unpacks, and then compares every table's row count and every
file's digest with the manifest; any difference is an error listing all of them.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from psycopg import sql

MANIFEST = "manifest.json"
DUMP = "database.dump"
ARCHIVE = "files.tar"
FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """The backup or restore cannot go on; `problems` lists every reason found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__("\n".join([message, *(f"  - {p}" for p in problems or [])]))
        self.problems = problems or []


@dataclass
class Target:
    """A PostgreSQL database as libpq sees it; the password goes in the environment."""

    conninfo: str
    password: str = ""

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, autocommit: bool = True) -> psycopg.Connection[Any]:
        return psycopg.connect(self.conninfo, password=self.password or None, autocommit=autocommit)


def configured_database(alias: str = "default") -> Target:
    """The site's own database (settings.DATABASES), which must be PostgreSQL."""
    db = settings.DATABASES[alias]
    if "postgresql" not in db["ENGINE"]:
        raise BackupError(f"Backups need PostgreSQL; the {alias!r} database uses {db['ENGINE']}.")
    params = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
        "user": db.get("USER") or None,
    }
    params.update({k: str(v) for k, v in (db.get("OPTIONS") or {}).items() if k in {"sslmode", "sslrootcert"}})
    conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})
    return Target(conninfo=conninfo, password=db.get("PASSWORD") or "")


def pg_tool(name: str) -> str:
    """The newest installed PostgreSQL client tool (a newer pg_dump reads older servers)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found. Install the PostgreSQL client: apt-get install postgresql-client")
    return path


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _tables(connection: psycopg.Connection[Any]) -> list[str]:
    rows = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    ).fetchall()
    return [row[0] for row in rows]


def row_counts(connection: psycopg.Connection[Any]) -> dict[str, int]:
    counts = {}
    for table in _tables(connection):
        row = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def stored_files(root: Path) -> dict[str, str]:
    """Every file under `root`: relative POSIX path → SHA-256."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


# --------------------------------------------------------------------------
# Backup
# --------------------------------------------------------------------------


def backup(*, out: Path, database: Target | None = None, storage: Path | None = None) -> dict[str, Any]:
    """Write a backup into the directory `out` (new or empty); return the manifest."""
    database = database or configured_database()
    storage = Path(storage or settings.PRIVATE_STORAGE_ROOT)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: write each backup into a new directory.")
    out.mkdir(parents=True, exist_ok=True)
    dump = out / DUMP
    with database.connect(autocommit=False) as connection:
        # Counts and dump read one snapshot: the manifest describes exactly what was dumped.
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = connection.execute("SELECT pg_export_snapshot(), current_setting('server_version')").fetchone()
        assert row is not None  # noqa: S101 - a SELECT without FROM returns one row
        snapshot, server_version = row
        counts = row_counts(connection)
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                f"--dbname={database.conninfo}",
            ],
            env=database.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        connection.rollback()
    if result.returncode != 0:
        raise BackupError("pg_dump failed.", [result.stderr.strip()])
    files = stored_files(storage)
    archive = out / ARCHIVE
    with tarfile.open(archive, "w") as tar:
        for relative in files:
            tar.add(storage / relative, arcname=relative, recursive=False)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {
            "file": DUMP,
            "sha256": sha256_file(dump),
            "size": dump.stat().st_size,
            "server_version": server_version,
            "tables": counts,
        },
        "files": {
            "archive": ARCHIVE,
            "sha256": sha256_file(archive),
            "size": archive.stat().st_size,
            "count": len(files),
            "entries": files,
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


# --------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    moved_aside: Path | None = None
    problems: list[str] = field(default_factory=list)


# What a manifest must hold for a restore to rely on it: (path, type).
MANIFEST_SHAPE: tuple[tuple[tuple[str, ...], type], ...] = (
    (("database",), dict),
    (("database", "sha256"), str),
    (("database", "tables"), dict),
    (("files",), dict),
    (("files", "sha256"), str),
    (("files", "entries"), dict),
)


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, or BackupError saying why it cannot be one: missing, not
    UTF-8 JSON (binary, empty, truncated), another format, or a part missing."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: not a backup directory.")
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BackupError(f"{path} is not text (UTF-8): not a manifest written by a backup.") from error
    except json.JSONDecodeError as error:
        raise BackupError(f"{path} is not valid JSON (empty or cut short?): {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise BackupError(f"Unknown backup format {found!r}.")
    missing = []
    for keys, kind in MANIFEST_SHAPE:
        value: Any = manifest
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, kind):
            missing.append(f"{'.'.join(keys)} is missing or not a {kind.__name__}")
    if missing:
        raise BackupError(f"{path} is incomplete.", missing)
    return manifest


def verify_backup(source: Path, manifest: dict[str, Any]) -> list[str]:
    """The dump and the archive are the ones the manifest describes."""
    problems = []
    for part, name in (("database", DUMP), ("files", ARCHIVE)):
        path = source / name
        if not path.exists():
            problems.append(f"{name} is missing.")
        elif sha256_file(path) != manifest[part]["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest (damaged or replaced).")
    return problems


def restore(
    *, source: Path, database: Target | None = None, storage: Path | None = None, force: bool = False
) -> RestoreReport:
    """Restore a backup into an empty database and an empty storage directory, then
    verify it against the manifest. BackupError if anything differs."""
    manifest = read_manifest(source)
    problems = verify_backup(source, manifest)
    if problems:
        raise BackupError("The backup does not match its manifest; nothing was restored.", problems)
    database = database or configured_database()
    storage = Path(storage or settings.PRIVATE_STORAGE_ROOT)

    with database.connect() as connection:
        existing = _tables(connection)
        if existing and not force:
            raise BackupError(
                f"The target database is not empty ({len(existing)} tables). "
                "Restore into an empty database, or pass --force to replace its contents."
            )
        if existing:
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
    moved_aside = None
    if storage.exists() and any(storage.iterdir()):
        if not force:
            raise BackupError(
                f"The storage directory {storage} is not empty. "
                "Restore into an empty directory, or pass --force to move its contents aside."
            )
        moved_aside = storage.with_name(f"{storage.name}.before-restore-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")
        storage.rename(moved_aside)

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database.conninfo}",
            str(source / DUMP),
        ],
        env=database.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError("pg_restore failed.", [result.stderr.strip()])
    storage.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(source / ARCHIVE) as tar:
            tar.extractall(storage, filter="data")  # refuses absolute paths, links out, devices
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{ARCHIVE} cannot be unpacked (damaged or not a tar archive).", [str(error)]) from error

    with database.connect() as connection:
        counts = row_counts(connection)
    problems = compare(manifest, counts, stored_files(storage))
    report = RestoreReport(
        tables=len(counts), rows=sum(counts.values()), files=len(manifest["files"]["entries"]), moved_aside=moved_aside
    )
    if problems:
        raise BackupError("The restored data does not match the manifest.", problems)
    return report


def compare(manifest: dict[str, Any], counts: dict[str, int], files: dict[str, str]) -> list[str]:
    problems = []
    expected_counts: dict[str, int] = manifest["database"]["tables"]
    for table in sorted(set(expected_counts) | set(counts)):
        if table not in counts:
            problems.append(f"table {table} is missing")
        elif table not in expected_counts:
            problems.append(f"table {table} is not in the backup")
        elif counts[table] != expected_counts[table]:
            problems.append(f"table {table}: {counts[table]} rows, the manifest says {expected_counts[table]}")
    expected_files: dict[str, str] = manifest["files"]["entries"]
    for name in sorted(set(expected_files) | set(files)):
        if name not in files:
            problems.append(f"file {name} is missing")
        elif name not in expected_files:
            problems.append(f"file {name} is not in the backup")
        elif files[name] != expected_files[name]:
            problems.append(f"file {name}: SHA-256 differs from the manifest")
    return problems
