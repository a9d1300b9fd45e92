"""The data folder and the database's files are the user's only (POSIX), even when an
older version, or the user, left them readable by others."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop.db.connect import open_database
from desktop.db.engine import Database, sqlite_url
from desktop.db.schema import upgrade
from desktop.paths import data_dir, default_database_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_data_folder_is_made_private() -> None:
    data_dir().mkdir(parents=True)
    data_dir().chmod(0o755)
    db = open_database(None)
    try:
        assert _mode(data_dir()) == 0o700
        assert _mode(default_database_path()) == 0o600
    finally:
        db.dispose()


def test_files_left_readable_are_tightened_on_the_next_connection(tmp_path: Path) -> None:
    path = tmp_path / "ouverte.sqlite3"
    first = Database(sqlite_url(path))
    upgrade(first)
    with first.engine.connect():  # keeps the -wal and -shm files
        companions = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        for file in companions:
            file.chmod(0o644)
        second = Database(sqlite_url(path))
        try:
            second.check_connection()
            assert [_mode(file) for file in companions] == [0o600, 0o600, 0o600]
        finally:
            second.dispose()
    first.dispose()
