"""SQLite files: checks before opening one, and consistent copies of it.

A file is looked at read-only before the application opens it for real,
because opening it normally switches it to WAL mode, which writes to it: a
foreign, corrupt or too-new file must be refused while still untouched.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from desktop.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"


def check_file_usable(path: Path) -> None:
    """Refuse, untouched, a path that is no SQLite file or cannot be created."""
    if path.is_dir():
        raise DatabaseError(f"« {path} » est un dossier, pas un fichier de base de données.")
    if not path.exists():
        _check_can_create(path)
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"Impossible de lire « {path} » : {exc.strerror}.") from None
    if header and header != SQLITE_HEADER:
        raise DatabaseError(
            f"« {path} » n'est pas une base de données SQLite (fichier endommagé ou "
            "d'un autre type) ; il n'a pas été modifié."
        )


def _check_can_create(path: Path) -> None:
    parent = path.parent
    impossible = "base de données impossible à créer"
    if not parent.exists():
        raise DatabaseError(f"Le dossier « {parent} » n'existe pas : {impossible}.")
    if not parent.is_dir():
        raise DatabaseError(f"« {parent} » n'est pas un dossier : {impossible}.")
    probe = parent / f".{path.name}.probe"
    try:
        probe.touch()
        probe.unlink()
    except OSError:
        raise DatabaseError(
            f"Le dossier « {parent} » n'est pas accessible en écriture : {impossible}."
        ) from None


def read_only_engine(path: Path) -> sa.Engine:
    """An engine that can only read the file (``mode=ro``), for inspection."""
    uri = f"file:{path.absolute().as_posix()}?mode=ro"
    return sa.create_engine(
        "sqlite+pysqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        poolclass=sa.pool.NullPool,
    )


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private(path: Path) -> None:
    """Readable and writable (a folder: usable) by its owner only, where the OS allows
    (POSIX)."""
    if os.name != "posix":
        return
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)
    except OSError:
        pass  # not ours, or a file system without permissions: left as it is


def make_database_private(path: Path) -> None:
    """The database file and its ``-wal`` and ``-shm`` companions, as :func:`make_private`.

    SQLite gives the companions it creates the mode of the database file; those
    left from before the file was made private are tightened here."""
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        make_private(file)


def private_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) if needed, the last one private."""
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)


def backup_sqlite_file(source: Path, target: Path) -> None:
    """Copy a live database consistently, with SQLite's online backup API.

    The copy is written beside the target, made private, then renamed: the
    target is either the complete copy or untouched.
    """
    private_folder(target.parent)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    uri = f"file:{source.absolute().as_posix()}?mode=ro"
    try:
        with (
            closing(sqlite3.connect(uri, uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
        make_private(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


KEEP_BACKUPS = 14
"""How many copies of each kind (daily, before a migration, before a restore) are kept."""


def keep_newest(folder: Path, pattern: str, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Delete the files of ``folder`` whose whole name matches ``pattern`` except the
    ``keep`` newest (by name: the names end with a sortable date); those deleted."""
    if not folder.is_dir():
        return []
    matching = re.compile(pattern)
    found = sorted(
        (path for path in folder.iterdir() if matching.fullmatch(path.name)),
        key=lambda path: path.name,
        reverse=True,
    )
    removed: list[Path] = []
    for old in found[keep:]:
        try:
            old.unlink()
        except OSError:
            continue
        removed.append(old)
    return removed
