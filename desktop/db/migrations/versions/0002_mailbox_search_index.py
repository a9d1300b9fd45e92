"""mailbox search index: FTS5 trigram on SQLite, pg_trgm GIN indexes on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Neither the FTS5 table (nor its shadow tables) nor the trigram indexes are in
the models: ``env.py`` keeps autogenerate from proposing to drop them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE mailbox_search USING fts5("
    "address, display_name, content='mailbox', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER mailbox_search_ai AFTER INSERT ON mailbox BEGIN "
    "INSERT INTO mailbox_search (rowid, address, display_name) "
    "VALUES (new.id, new.address, new.display_name); END",
    "CREATE TRIGGER mailbox_search_ad AFTER DELETE ON mailbox BEGIN "
    "INSERT INTO mailbox_search (mailbox_search, rowid, address, display_name) "
    "VALUES ('delete', old.id, old.address, old.display_name); END",
    "CREATE TRIGGER mailbox_search_au AFTER UPDATE OF address, display_name ON mailbox BEGIN "
    "INSERT INTO mailbox_search (mailbox_search, rowid, address, display_name) "
    "VALUES ('delete', old.id, old.address, old.display_name); "
    "INSERT INTO mailbox_search (rowid, address, display_name) "
    "VALUES (new.id, new.address, new.display_name); END",
    "INSERT INTO mailbox_search (mailbox_search) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS mailbox_search_au",
    "DROP TRIGGER IF EXISTS mailbox_search_ad",
    "DROP TRIGGER IF EXISTS mailbox_search_ai",
    "DROP TABLE IF EXISTS mailbox_search",
]
POSTGRESQL_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_mailbox_address_trgm ON mailbox USING gin (address gin_trgm_ops)",
    "CREATE INDEX ix_mailbox_display_name_trgm ON mailbox USING gin (display_name gin_trgm_ops)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_mailbox_display_name_trgm",
    "DROP INDEX IF EXISTS ix_mailbox_address_trgm",
]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
