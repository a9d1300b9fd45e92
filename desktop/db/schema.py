"""The schema's version: what a database holds, and bringing it up to date.

Alembic scripts live in ``desktop/db/migrations`` (one linear chain). Before
a file database is migrated it is copied aside with SQLite's online backup
API, so a failed or unwanted migration can be undone by hand.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from desktop.db.engine import Database, describe_url, sqlite_path, translate_errors
from desktop.db.sqlite_files import backup_sqlite_file, keep_newest
from desktop.domain.clock import utc_now
from desktop.errors import DatabaseError
from desktop.paths import backup_dir

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SEARCH_TABLE = "mailbox_search"
"""The FTS5 table of migration 0002 (SQLite); its shadow tables are named after it."""
TRIGRAM_INDEXES = frozenset({"ix_mailbox_address_trgm", "ix_mailbox_display_name_trgm"})
"""The pg_trgm GIN indexes of migration 0002 (PostgreSQL)."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate filter: leave out the search objects made in migrations, not models."""
    if type_ == "table" and name is not None:
        return name != SEARCH_TABLE and not name.startswith(f"{SEARCH_TABLE}_")
    if type_ == "index":
        return name not in TRIGRAM_INDEXES
    return True


MIGRATION_LOCK_KEY = 0x0BAC_0FF1  # PostgreSQL advisory lock held while migrating


class SchemaStatus(enum.Enum):
    EMPTY = "empty"  # no table at all: a new database
    CURRENT = "current"  # at this version's head
    BEHIND = "behind"  # an older revision of ours: to migrate
    NEWER = "newer"  # a revision this version does not know
    FOREIGN = "foreign"  # tables, but not ours


@dataclass(frozen=True)
class SchemaState:
    status: SchemaStatus
    revision: str | None


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "the migration chain has no head"
    return head


def inspect_schema(connection: sa.Connection) -> SchemaState:
    tables = set(sa.inspect(connection).get_table_names())
    revision = (
        MigrationContext.configure(connection).get_current_revision()
        if "alembic_version" in tables
        else None
    )
    if revision is None:
        others = tables - {"alembic_version"}
        return SchemaState(SchemaStatus.FOREIGN if others else SchemaStatus.EMPTY, None)
    if revision == head_revision():
        return SchemaState(SchemaStatus.CURRENT, revision)
    known = {script.revision for script in _scripts().walk_revisions()}
    status = SchemaStatus.BEHIND if revision in known else SchemaStatus.NEWER
    return SchemaState(status, revision)


def refuse_unusable(state: SchemaState, where: str) -> None:
    """Raise the French explanation for a database this version must not touch."""
    if state.status is SchemaStatus.FOREIGN:
        raise DatabaseError(
            f"Cette base n'est pas une base Back-Office Messagerie ({where}) : "
            "elle contient d'autres tables. Elle n'a pas été modifiée."
        )
    if state.status is SchemaStatus.NEWER:
        raise DatabaseError(
            f"Cette base a été créée par une version plus récente de Back-Office Messagerie "
            f"(schéma {state.revision}, {where}). Installez la dernière version ; "
            "la base n'a pas été modifiée."
        )


def current_state(db: Database) -> SchemaState:
    with translate_errors(db.url), db.engine.connect() as connection:
        return inspect_schema(connection)


def upgrade(db: Database, *, backup: bool = True) -> UpgradeResult:
    """Bring the schema to this version's head; copy an SQLite file aside first
    (``backup=False``: not for a throw-away copy, such as a file being restored)."""
    state = current_state(db)
    refuse_unusable(state, describe_url(db.url))
    head = head_revision()
    if state.status is SchemaStatus.CURRENT:
        return UpgradeResult(state.revision, head, None)
    copy = _backup_before(db, state) if backup else None
    config = alembic_config()
    writer = db.engine.execution_options(sqlite_begin="IMMEDIATE")
    with translate_errors(db.url), writer.begin() as connection:
        _lock_schema(connection)
        # Another desktop may have migrated while this one waited for the lock.
        locked_state = inspect_schema(connection)
        refuse_unusable(locked_state, describe_url(db.url))
        if locked_state.status is not SchemaStatus.CURRENT:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return UpgradeResult(state.revision, head, copy)


def _lock_schema(connection: sa.Connection) -> None:
    """Serialise migrations across desktops (SQLite: BEGIN IMMEDIATE already does)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))


def _backup_before(db: Database, state: SchemaState) -> Path | None:
    path = sqlite_path(db.url)
    if path is None or state.status is SchemaStatus.EMPTY:
        return None
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    # The stamp comes first so that the names sort by date, whatever the revision.
    target = backup_dir() / f"{path.stem}-avant-migration-{stamp}-{state.revision}.sqlite3"
    backup_sqlite_file(path, target)
    keep_newest(target.parent, premigration_pattern(path.stem))
    return target


def premigration_pattern(stem: str) -> str:
    """The names of the copies made before a migration of the file named ``stem``."""
    return rf"{re.escape(stem)}-avant-migration-\d{{8}}T\d{{6}}Z-.+\.sqlite3"
