"""Backups and restore: a round trip, refusals leaving the data untouched, rotation."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from desktop.db import backups
from desktop.db.backups import backup, backup_sqlite, daily_backup, restore
from desktop.db.engine import Database, sqlite_path, sqlite_url
from desktop.db.schema import alembic_config, head_revision, upgrade
from desktop.errors import UserError
from desktop.paths import backup_dir
from tests.services.invoice_helpers import tamper

posix_only = pytest.mark.skipif(os.name != "posix", reason="permissions are POSIX only")


def live_path(db: Database) -> Path:
    path = sqlite_path(db.url)
    assert path is not None
    return path


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    with closing(sqlite3.connect(path)) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rename_first_client(db: Database, name: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE client SET name = :name WHERE id = (SELECT min(id) FROM client)"),
            {"name": name},
        )


@pytest.fixture
def saved(demo_db: Database, tmp_path: Path) -> Path:
    """A backup of the demo database (issued invoices included)."""
    return backup(demo_db, tmp_path / "sauvegarde.sqlite3").path


def test_round_trip_restores_every_row(demo_db: Database, saved: Path) -> None:
    live = live_path(demo_db)
    before = dump(live)
    rename_first_client(demo_db, "Nom changé après la sauvegarde")
    assert dump(live) != before

    result = restore(demo_db, saved)

    assert dump(live) == before
    assert (result.from_revision, result.revision) == (head_revision(), head_revision())
    assert not result.upgraded
    assert result.kept_aside is not None and result.kept_aside.parent == backup_dir()
    assert result.kept_aside.name.startswith(f"{live.stem}-avant-restauration-")
    kept = dump(result.kept_aside)
    assert any("Nom changé après la sauvegarde" in row for row in kept["client"])
    assert not list(live.parent.glob(".*restauration*"))
    # The database object still works after the restore (its engine reconnects).
    with demo_db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM client")).scalar_one() > 0


def test_an_older_copy_is_migrated(demo_db: Database, saved: Path, tmp_path: Path) -> None:
    older = tmp_path / "ancienne.sqlite3"
    shutil.copyfile(saved, older)
    copy = Database(sqlite_url(older))
    try:
        with copy.engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "-1")
    finally:
        copy.dispose()
    with closing(sqlite3.connect(older)) as connection:
        (previous,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert previous != head_revision()

    result = restore(demo_db, older)

    assert (result.from_revision, result.revision) == (previous, head_revision())
    assert result.upgraded
    assert dump(live_path(demo_db))["client"] == dump(saved)["client"]
    assert dump(older)["alembic_version"] == [(previous,)]  # the copy itself untouched


def test_restore_onto_a_missing_file_creates_it(saved: Path, tmp_path: Path) -> None:
    target = tmp_path / "nouveau" / "office.sqlite3"
    target.parent.mkdir()
    db = Database(sqlite_url(target))
    try:
        result = restore(db, saved)
    finally:
        db.dispose()
    assert result.kept_aside is None
    assert dump(target) == dump(saved)


def _random_bytes(saved: Path, bad: Path) -> None:
    bad.write_bytes(os.urandom(64 * 1024))


def _truncated(saved: Path, bad: Path) -> None:
    data = saved.read_bytes()
    bad.write_bytes(data[: len(data) // 2])


def _foreign(saved: Path, bad: Path) -> None:
    with closing(sqlite3.connect(bad)) as connection, connection:
        connection.execute("CREATE TABLE recette (nom TEXT)")
        connection.execute("INSERT INTO recette VALUES ('tarte')")


def _empty_sqlite(saved: Path, bad: Path) -> None:
    with closing(sqlite3.connect(bad)) as connection:
        connection.execute("VACUUM")


def _newer(saved: Path, bad: Path) -> None:
    shutil.copyfile(saved, bad)
    with closing(sqlite3.connect(bad)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")


def _tampered_chain(saved: Path, bad: Path) -> None:
    shutil.copyfile(saved, bad)
    copy = Database(sqlite_url(bad))
    try:
        tamper(
            copy,
            "UPDATE invoice SET buyer_name = 'Autre' WHERE id = "
            "(SELECT min(id) FROM invoice WHERE chain_index IS NOT NULL)",
        )
    finally:
        copy.dispose()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_random_bytes, "n'est pas une base de données SQLite"),
        (_truncated, "endommagé"),
        (_foreign, "n'est pas une base Back-Office Messagerie"),
        (_empty_sqlite, "n'est pas une base Back-Office Messagerie"),
        (_newer, "version plus récente"),
        (_tampered_chain, "chaîne de factures rompue"),
    ],
    ids=["random-bytes", "truncated", "foreign", "empty", "newer", "tampered-chain"],
)
def test_a_bad_copy_is_refused_and_nothing_changes(
    demo_db: Database, saved: Path, tmp_path: Path, spoil: object, reason: str
) -> None:
    bad = tmp_path / "mauvaise.sqlite3"
    spoil(saved, bad)  # type: ignore[operator]
    live = live_path(demo_db)
    rename_first_client(demo_db, "Donnée actuelle")
    demo_db.dispose()
    before_bytes, before_rows = digest(live), dump(live)
    aside_before = sorted(backup_dir().glob("*")) if backup_dir().exists() else []

    with pytest.raises(UserError) as refused:
        restore(demo_db, bad)

    assert reason in refused.value.message
    assert "La base actuelle n'a pas été modifiée." in refused.value.message
    demo_db.dispose()
    assert digest(live) == before_bytes
    assert dump(live) == before_rows
    assert not list(live.parent.glob(".*restauration*"))
    after = sorted(backup_dir().glob("*")) if backup_dir().exists() else []
    assert after == aside_before  # nothing set aside either: nothing was replaced


def test_a_missing_copy_is_refused(sqlite_db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Sauvegarde introuvable"):
        restore(sqlite_db, tmp_path / "absente.sqlite3")


def test_restoring_the_database_onto_itself_is_refused(sqlite_db: Database) -> None:
    with pytest.raises(UserError, match="la base elle-même"):
        restore(sqlite_db, live_path(sqlite_db))


def test_a_copy_of_a_damaged_current_file_is_kept_byte_for_byte(
    saved: Path, tmp_path: Path
) -> None:
    live = tmp_path / "abimee.sqlite3"
    live.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    db = Database(sqlite_url(live))
    try:
        result = restore(db, saved)
    finally:
        db.dispose()
    assert result.kept_aside is not None
    assert result.kept_aside.read_bytes().startswith(b"SQLite format 3\x00")
    assert dump(live) == dump(saved)


class TestDailyBackup:
    def test_once_a_day(self, sqlite_db: Database) -> None:
        day = date(2026, 11, 22)
        first = daily_backup(sqlite_db, today=day)
        assert first == backup_dir() / "test-2026-11-22.sqlite3"
        assert first.exists()
        assert daily_backup(sqlite_db, today=day) is None
        second = daily_backup(sqlite_db, today=day + timedelta(days=1))
        assert second == backup_dir() / "test-2026-11-23.sqlite3"

    def test_the_copy_holds_the_data(self, demo_db: Database) -> None:
        made = daily_backup(demo_db, today=date(2026, 11, 22))
        assert made is not None
        assert dump(made) == dump(live_path(demo_db))

    def test_rotation_keeps_the_14_newest(self, sqlite_db: Database) -> None:
        folder = backup_dir()
        folder.mkdir(parents=True)
        start = date(2026, 10, 1)
        for offset in range(20):
            (folder / f"test-{(start + timedelta(days=offset)).isoformat()}.sqlite3").touch()
        for offset in range(20):
            (folder / f"test-avant-migration-202610{offset + 1:02d}T080000Z-0006.sqlite3").touch()
        other = folder / "autre-2020-01-01.sqlite3"
        other.touch()

        made = daily_backup(sqlite_db, today=date(2026, 11, 22))

        daily = sorted(folder.glob("test-2026-*.sqlite3"))
        assert len(daily) == 14
        assert daily[-1] == made
        assert daily[0].name == "test-2026-10-08.sqlite3"
        migrations = sorted(folder.glob("test-avant-migration-*.sqlite3"))
        assert len(migrations) == 14
        assert migrations[0].name.startswith("test-avant-migration-20261007T")
        assert other.exists()  # another database's copies are left alone

    def test_nothing_for_postgresql_or_a_missing_file(self, tmp_path: Path) -> None:
        assert daily_backup(Database(sa.make_url("postgresql+psycopg://u@h/bo"))) is None
        assert daily_backup(Database(sqlite_url(tmp_path / "absente.sqlite3"))) is None

    def test_a_failure_is_logged_not_raised(
        self, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(db: Database) -> Path | None:
            raise UserError("disque plein")

        monkeypatch.setattr(backups, "daily_backup", broken)
        assert backups.daily_backup_logged(sqlite_db) is None


@posix_only
class TestPermissions:
    @staticmethod
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    def test_a_new_database_file_is_private(self, tmp_path: Path) -> None:
        path = tmp_path / "neuve.sqlite3"
        db = Database(sqlite_url(path))
        try:
            upgrade(db)
            assert self.mode(path) == 0o600
            wal = Path(f"{path}-wal")
            if wal.exists():
                assert self.mode(wal) == 0o600
        finally:
            db.dispose()

    def test_backups_and_restored_files_are_private(
        self, demo_db: Database, saved: Path, tmp_path: Path
    ) -> None:
        assert self.mode(saved) == 0o600
        daily = daily_backup(demo_db, today=date(2026, 11, 22))
        assert daily is not None and self.mode(daily) == 0o600
        assert self.mode(backup_dir()) & 0o077 == 0
        result = restore(demo_db, saved)
        assert result.kept_aside is not None and self.mode(result.kept_aside) == 0o600
        assert self.mode(live_path(demo_db)) == 0o600

    def test_copy_written_atomically(self, sqlite_db: Database, tmp_path: Path) -> None:
        target = backup_sqlite(live_path(sqlite_db), tmp_path / "copie.sqlite3")
        assert self.mode(target) == 0o600
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copie")] == []


def test_backup_refuses_a_missing_folder(sqlite_db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Dossier introuvable"):
        backup(sqlite_db, tmp_path / "absent" / "copie.sqlite3")


class TestPostgreSQL:
    @pytest.fixture
    def pg_db(self, pg_migrated: str) -> Iterator[Database]:
        database = Database(sa.make_url(pg_migrated))
        yield database
        database.dispose()

    @pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump not installed")
    def test_backup_runs_pg_dump(self, pg_db: Database, tmp_path: Path) -> None:
        result = backup(pg_db, tmp_path / "base.dump")
        assert result.tool == "pg_dump"
        assert result.path.read_bytes().startswith(b"PGDMP")
        assert result.size == result.path.stat().st_size
        assert not list(tmp_path.glob(".*partial"))

    def test_without_pg_dump_says_how(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(shutil, "which", lambda name: None)
        db = Database(sa.make_url("postgresql+psycopg://bo:secret@db.local:5432/office"))
        with pytest.raises(UserError) as refused:
            backup(db, tmp_path / "base.dump")
        message = refused.value.message
        assert "pg_dump est introuvable" in message
        assert "pg_dump --format=custom" in message
        assert "postgresql://bo@db.local:5432/office" in message
        assert "secret" not in message

    def test_restore_points_to_pg_restore(self, tmp_path: Path) -> None:
        db = Database(sa.make_url("postgresql+psycopg://bo:secret@db.local/office"))
        with pytest.raises(UserError) as refused:
            restore(db, tmp_path / "base.dump")
        assert "pg_restore --clean --if-exists" in refused.value.message
        assert "secret" not in refused.value.message
