"""Opening the database a user named, refusing what must not be touched."""

from __future__ import annotations

import sqlalchemy as sa

from desktop.db.engine import Database, describe_url, resolve_url, sqlite_path, translate_errors
from desktop.db.schema import SchemaState, current_state, inspect_schema, refuse_unusable
from desktop.db.sqlite_files import (
    check_file_usable,
    make_private,
    private_folder,
    read_only_engine,
)
from desktop.paths import data_dir, default_database_path


def open_database(value: str | None) -> Database:
    """The database named by ``--db`` / $BACKOFFICE_DB / the default file.

    Raises ``DatabaseError`` (one French line) when it cannot be reached, is
    not an SQLite file, belongs to another program, or was made by a newer
    version; in each case nothing has been written to it.
    """
    url = resolve_url(value)
    path = sqlite_path(url)
    if path is not None:
        if path == default_database_path():
            private_folder(data_dir())
            make_private(data_dir())  # also when made by an older version, or by hand
        check_file_usable(path)
        if path.exists():
            _refuse_unusable_file(url)
    db = Database(url)
    try:
        db.check_connection()
        if path is None:
            refuse_unusable(current_state(db), describe_url(url))
    except BaseException:
        db.dispose()
        raise
    return db


def _refuse_unusable_file(url: sa.URL) -> None:
    path = sqlite_path(url)
    assert path is not None
    engine = read_only_engine(path)
    try:
        with translate_errors(url), engine.connect() as connection:
            state: SchemaState = inspect_schema(connection)
    finally:
        engine.dispose()
    refuse_unusable(state, describe_url(url))
