"""Developers' tool: ``python -m desktop.db.revision "what changed"``.

Autogenerates the next migration by comparing the models with a scratch
SQLite database migrated to the current head. Review the script it writes
(``desktop/db/migrations/versions/``) before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from desktop.db.engine import Database, sqlite_url
from desktop.db.schema import alembic_config, head_revision, upgrade


def new_revision(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(sqlite_url(Path(scratch) / "scratch.sqlite3"))
        upgrade(db)
        config = alembic_config()
        rev_id = f"{int(head_revision()) + 1:04d}"
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        db.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit('usage: python -m desktop.db.revision "what changed"')
    new_revision(sys.argv[1])
