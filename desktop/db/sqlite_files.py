"""SQLite files: checks before opening one, and consistent copies of it.

A file is looked at read-only before the application opens it for real,
because opening it normally switches it to WAL mode, which writes to it: a
foreign, corrupt or too-new file must be refused while still untouched.
"""

from __future__ import annotations

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


def backup_sqlite_file(source: Path, target: Path) -> None:
    """Copy a live database consistently, with SQLite's online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with (
        closing(sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(partial)) as dst,
    ):
        src.backup(dst)
    partial.replace(target)
