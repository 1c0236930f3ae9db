"""``fangkong backup --to DIR`` and ``fangkong restore --from DIR``.

A backup is a folder (mode 700: it holds personal data) with the database copy
(backup_db.py), the movement folder's files, and ``manifest.json``: when, by which version,
the vendor and tools, the applied migrations, every table's row count and every file's size
and SHA-256. It deliberately leaves out the secret key: the health-code signing keys are
stored encrypted under it, so a stolen backup alone cannot sign codes (docs/healthcode.md);
the manifest keeps a fingerprint so a restore can say when the secret differs. The job queue
(transient; periodic jobs rerun) and static files (rebuilt) are left out too.

Restore checks every file's checksum, refuses a backup from a newer version (unknown
migrations), refuses to overwrite a database that has tables unless ``--force``, restores,
compares the row counts with the manifest's, then migrates (an older backup is brought up to
this version).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import importlib.metadata
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from fangkong.cli.commands import migrate, setup_django

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1 << 20


def add_backup_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``backup`` and ``restore`` to the ``fangkong`` command line."""
    b = sub.add_parser("backup", help="back up the database and movement data to a folder")
    b.add_argument("--to", type=Path, required=True, dest="to",
                   help="parent folder; the backup is a new fangkong-<UTC time> folder in it")
    b.add_argument("--no-movement", action="store_true", help="leave the movement files out")
    b.set_defaults(handler=cmd_backup)
    r = sub.add_parser("restore", help="restore a backup into the configured database")
    r.add_argument("--from", type=Path, required=True, dest="source",
                   help="the backup folder (or its manifest.json)")
    r.add_argument("--force", action="store_true",
                   help="overwrite a database that already has tables, and movement files")
    r.add_argument("--no-movement", action="store_true", help="restore the database only")
    r.set_defaults(handler=cmd_restore)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def secret_fingerprint() -> str:
    """Tells two secrets apart without revealing either (an HMAC, not the secret's hash)."""
    from django.conf import settings

    mac = hmac.new(settings.SECRET_KEY.encode(), b"fangkong backup fingerprint", "sha256")
    return mac.hexdigest()[:16]


def app_version() -> str:
    try:
        return importlib.metadata.version("fangkong")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def copy_movement(*, source: Path, target: Path) -> list[Path]:
    """Copy the movement folder's files (a symlinked folder is followed); their paths."""
    copied: list[Path] = []
    if not source.is_dir():
        return copied
    for path in sorted(p for p in source.resolve().rglob("*") if p.is_file()):
        rel = path.relative_to(source.resolve())
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / rel)
        copied.append(target / rel)
    return copied


def write_backup(*, parent: Path, movement: bool) -> tuple[Path, dict[str, Any]]:
    """Make one backup folder under ``parent``; the folder and its manifest."""
    from django.conf import settings

    from fangkong.cli import backup_db

    vendor = backup_db.vendor()
    stamp = dt.datetime.now(dt.UTC)
    folder = parent / f"fangkong-{stamp:%Y%m%dT%H%M%S}Z"
    folder.mkdir(parents=True, mode=0o700)
    os.chmod(folder, 0o700)
    db_file = folder / backup_db.DUMP_NAME[vendor]
    dump = backup_db.dump_postgresql if vendor == "postgresql" else backup_db.dump_sqlite
    try:
        snap = dump(target=db_file)
        files = [db_file]
        if movement:
            files += copy_movement(source=Path(settings.MOVEMENT_DIR),
                                   target=folder / "movement")
    except BaseException:
        shutil.rmtree(folder)  # no half backup left to be mistaken for one
        raise
    manifest = {
        "format": FORMAT, "created_at": stamp.isoformat(), "app_version": app_version(),
        "database": {"vendor": vendor, "file": db_file.name, "server": snap.server,
                     "tool": snap.tool},
        "migrations": snap.migrations, "row_counts": snap.counts,
        "files": {str(p.relative_to(folder)): {"bytes": p.stat().st_size,
                                               "sha256": sha256_of(p)} for p in files},
        "secret_fingerprint": secret_fingerprint(),
        "not_included": ["secret key (keep FANGKONG_SECRET_KEY in your secret store)",
                         "job queue", "static files"],
    }
    for p in files:
        os.chmod(p, 0o600)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return folder, manifest


def cmd_backup(args: argparse.Namespace) -> int:
    setup_django()
    started = time.perf_counter()
    folder, manifest = write_backup(parent=args.to, movement=not args.no_movement)
    size = sum(f["bytes"] for f in manifest["files"].values())
    print(f"backup {folder}: {manifest['database']['vendor']}, "
          f"{sum(manifest['row_counts'].values()):,} rows in {len(manifest['row_counts'])} "
          f"tables, {len(manifest['files'])} files, {size / 2**20:.1f} MiB, "
          f"{time.perf_counter() - started:.1f} s")
    return 0


def read_manifest(source: Path) -> tuple[Path, dict[str, Any]]:
    """The backup folder and its manifest, every file's size and checksum verified."""
    from fangkong.core.errors import DomainError

    folder = source.parent if source.name == MANIFEST else source
    path = folder / MANIFEST
    if not path.is_file():
        raise DomainError(f"{path} not found: --from takes a folder made by fangkong backup")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise DomainError(f"{path}: unknown backup format {manifest.get('format')!r}")
    for name, facts in manifest["files"].items():
        file = folder / name
        if not file.is_file() or file.stat().st_size != facts["bytes"] \
                or sha256_of(file) != facts["sha256"]:
            raise DomainError(f"{file}: missing or damaged (size or SHA-256 differs from the "
                              "manifest); nothing was restored")
    return folder, manifest


def check_restorable(*, manifest: dict[str, Any], force: bool) -> None:
    """Same vendor, no migration this code does not know, and an empty target unless forced."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from fangkong.cli import backup_db
    from fangkong.core.errors import DomainError

    vendor = manifest["database"]["vendor"]
    if vendor != backup_db.vendor():
        raise DomainError(f"the backup is of {vendor}; the configured database is "
                          f"{backup_db.vendor()} (FANGKONG_DATABASE_URL)")
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [m for m in manifest["migrations"] if tuple(m.split(".", 1)) not in known]
    if unknown:
        raise DomainError(f"the backup was made by a newer version ({manifest['app_version']}"
                          f"): migrations {', '.join(unknown[:5])} are unknown here")
    tables = backup_db.current_tables()
    if tables and not force:
        raise DomainError(f"database {connection.settings_dict['NAME']} already has "
                          f"{len(tables)} tables: restore into an empty database, or pass "
                          "--force to overwrite it")


def restore_files(*, folder: Path, manifest: dict[str, Any], force: bool) -> int:
    """Copy the backup's movement files into the movement folder; how many."""
    from django.conf import settings

    from fangkong.core.errors import DomainError

    names = [n for n in manifest["files"] if n.startswith("movement/")]
    target = Path(settings.MOVEMENT_DIR)
    if names and target.is_dir() and any(target.iterdir()) and not force:
        raise DomainError(f"movement folder {target} is not empty: pass --force to overwrite "
                          "its files, or --no-movement")
    for name in names:
        dest = target / Path(name).relative_to("movement")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / name, dest)
    return len(names)


def signing_keys() -> int:
    from fangkong.healthcode.models import SigningKey

    return SigningKey.objects.count()


def cmd_restore(args: argparse.Namespace) -> int:
    setup_django()
    from fangkong.cli import backup_db

    started = time.perf_counter()
    folder, manifest = read_manifest(args.source)
    check_restorable(manifest=manifest, force=args.force)
    moved = 0 if args.no_movement else restore_files(folder=folder, manifest=manifest,
                                                     force=args.force)
    source = folder / manifest["database"]["file"]
    if manifest["database"]["vendor"] == "postgresql":
        major = int(manifest["database"]["tool"].split()[-1])
        backup_db.restore_postgresql(source=source, made_by_major=major, force=args.force)
    else:
        backup_db.restore_sqlite(source=source)
    counts = backup_db.current_counts()
    differ = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items()
              if counts.get(t) != n}
    if differ:
        print(f"error: row counts differ from the manifest: {differ}", file=sys.stderr)
        return 1
    migrate()
    print(f"restored {folder} ({manifest['created_at']}, version {manifest['app_version']}): "
          f"{sum(counts.values()):,} rows in {len(counts)} tables, {moved} movement files, "
          f"counts equal to the manifest, migrations applied; "
          f"{time.perf_counter() - started:.1f} s")
    if manifest["secret_fingerprint"] != secret_fingerprint() and signing_keys():
        print("warning: FANGKONG_SECRET_KEY differs from the backed-up server's: its health-code"
              " signing keys cannot be unlocked; set the old secret, or run `fangkong "
              "healthcode keygen --rotate`", file=sys.stderr)
    return 0
