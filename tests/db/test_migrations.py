"""Migrations: one linear chain, a schema equal to the models, safe start-up."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from desktop.db import schema
from desktop.db.connect import open_database
from desktop.db.engine import Database
from desktop.db.models import Base
from desktop.db.schema import SchemaStatus, alembic_config, current_state, head_revision, upgrade
from desktop.errors import DatabaseError

NEXT_REVISION = '''
"""test: a later revision adding a column"""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("client") as batch:
        batch.add_column(sa.Column("test_extra", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client") as batch:
        batch.drop_column("test_extra")
'''


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_linear_chain() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1
    revisions = list(scripts.walk_revisions())
    for revision in revisions:
        assert not revision.is_merge_point, revision.revision
        assert len(revision.nextrev) <= 1, f"{revision.revision} branches"
    assert revisions[0].revision == head_revision()


def test_migrated_schema_equals_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": schema.include_name,
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_nothing_and_back(db: Database) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert upgrade(db).to_revision == head_revision()
    assert current_state(db).status is SchemaStatus.CURRENT


def test_upgrade_of_a_new_file_then_nothing_to_do(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "new.sqlite3"))
    first = upgrade(db)
    second = upgrade(db)
    db.dispose()
    assert (first.from_revision, first.to_revision, first.changed) == (None, head_revision(), True)
    assert (second.changed, second.backup) == (False, None)


def test_an_older_file_is_copied_aside_then_migrated(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "office.sqlite3"
    shutil.copyfile(sqlite_template, path)
    older = head_revision()
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(
            "INSERT INTO client (code, kind, name, billing_email, country, status, version, "
            "created_at, updated_at) VALUES ('CL1', 'business', 'Martin', 'a@b.fr', 'FR', "
            "'active', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    migrations = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, migrations)
    (migrations / "versions" / "9001_test.py").write_text(
        NEXT_REVISION.format(head=head_revision())
    )
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", migrations)

    db = open_database(str(path))
    assert current_state(db).status is SchemaStatus.BEHIND
    result = upgrade(db)
    db.dispose()

    assert (result.from_revision, result.to_revision) == (older, "9001")
    assert result.backup is not None and result.backup.exists()
    with closing(sqlite3.connect(result.backup)) as copy:
        assert copy.execute("SELECT name FROM client").fetchall() == [("Martin",)]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (older,)
    with closing(sqlite3.connect(path)) as migrated:
        assert migrated.execute("SELECT name, test_extra FROM client").fetchall() == [
            ("Martin", None)
        ]


class TestFilesThatMustStayUntouched:
    def test_random_bytes(self, tmp_path: Path) -> None:
        path = tmp_path / "corrupt.sqlite3"
        path.write_bytes(b"\x00garbage" * 500)
        self._assert_refused_untouched(path, "n'est pas une base de données SQLite")

    def test_a_truncated_database(self, tmp_path: Path, sqlite_template: Path) -> None:
        path = tmp_path / "truncated.sqlite3"
        path.write_bytes(sqlite_template.read_bytes()[:6000])
        self._assert_refused_untouched(path, "endommagée")

    def test_another_programs_database(self, tmp_path: Path) -> None:
        path = tmp_path / "other.sqlite3"
        with closing(sqlite3.connect(path)) as raw, raw:
            raw.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")
        self._assert_refused_untouched(path, "n'est pas une base Back-Office Messagerie")

    def test_a_newer_schema(self, tmp_path: Path, sqlite_template: Path) -> None:
        path = tmp_path / "newer.sqlite3"
        shutil.copyfile(sqlite_template, path)
        with closing(sqlite3.connect(path)) as raw, raw:
            raw.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
        self._assert_refused_untouched(path, "version plus récente")

    @staticmethod
    def _assert_refused_untouched(path: Path, words: str) -> None:
        before = sha256(path)
        with pytest.raises(DatabaseError, match=words) as caught:
            open_database(str(path))
        assert "\n" not in caught.value.message
        assert sha256(path) == before
        wal = Path(f"{path}-wal")  # a WAL-mode file read-only may get an empty one
        assert not wal.exists() or wal.stat().st_size == 0


def test_a_newer_schema_on_postgresql_is_refused(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("the file case is covered above")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff9999'")
    try:
        with pytest.raises(DatabaseError, match="version plus récente"):
            open_database(db.url.render_as_string(hide_password=False))
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                f"UPDATE alembic_version SET version_num = '{head_revision()}'"
            )


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("/proc/backoffice.sqlite3", "n'est pas accessible en écriture"),
        ("/nonexistent-folder/office.sqlite3", "n'existe pas"),
        ("/etc/hostname/office.sqlite3", "n'est pas un dossier"),
        ("/tmp", "est un dossier"),
    ],
)
def test_unusable_paths(value: str, words: str) -> None:
    with pytest.raises(DatabaseError, match=words):
        open_database(value)
