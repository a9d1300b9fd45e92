"""The engine: URL resolution, SQLite settings, transactions, exact types."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from desktop.db.engine import Database, describe_url, resolve_url, sqlite_url
from desktop.db.models import Client, Provider
from desktop.domain.enums import ClientKind
from desktop.errors import DatabaseError
from desktop.paths import default_database_path


def make_client(code: str = "CL00001", **values: object) -> Client:
    fields: dict[str, object] = {
        "code": code,
        "kind": ClientKind.BUSINESS,
        "name": "Boulangerie Martin",
        "billing_email": "compta@martin.fr",
    }
    fields.update(values)
    return Client(**fields)


class TestResolveUrl:
    def test_default_is_the_users_file(self) -> None:
        url = resolve_url(None, environ={})
        assert url.drivername == "sqlite+pysqlite"
        assert Path(url.database or "") == default_database_path()

    def test_environment_variable_comes_next(self) -> None:
        url = resolve_url(None, environ={"BACKOFFICE_DB": "postgresql://u@h:5433/bo"})
        assert url.render_as_string() == "postgresql+psycopg://u@h:5433/bo"

    def test_command_line_wins_and_a_plain_path_is_a_file(self, tmp_path: Path) -> None:
        url = resolve_url(str(tmp_path / "x.db"), environ={"BACKOFFICE_DB": "postgresql://h/bo"})
        assert url.database == str(tmp_path / "x.db")

    @pytest.mark.parametrize(
        ("value", "words"),
        [
            ("mysql://root@localhost/bo", "non pris en charge"),
            ("oracle+cx_oracle://h/x", "non pris en charge"),
            ("postgresql://h:notaport/x", "invalide"),
        ],
    )
    def test_unsupported_or_malformed_urls(self, value: str, words: str) -> None:
        with pytest.raises(DatabaseError, match=words):
            resolve_url(value, environ={})

    def test_description_hides_the_password(self) -> None:
        url = resolve_url("postgresql://bo:secret@db.local:5432/office", environ={})
        assert describe_url(url) == "PostgreSQL — bo@db.local:5432/office"
        assert "secret" not in describe_url(url)


class TestSqliteSettings:
    def test_wal_full_sync_and_foreign_keys(self, sqlite_db: Database) -> None:
        with sqlite_db.read_session() as session:
            pragma = session.connection().exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
            assert pragma("PRAGMA foreign_keys").scalar() == 1

    def test_a_write_session_takes_the_write_lock_at_once(self, sqlite_db: Database) -> None:
        path = sqlite_db.url.database
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with sqlite_db.session_scope() as session:
            session.execute(sa.select(1))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()

    def test_a_read_session_does_not_block_writers(self, sqlite_db: Database) -> None:
        other = sqlite3.connect(sqlite_db.url.database, timeout=0, isolation_level=None)
        with sqlite_db.read_session() as session:
            session.execute(sa.select(sa.func.count()).select_from(Client))
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        other.close()


def test_a_failed_action_writes_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session_scope() as session:
        session.add(make_client())
        session.flush()
        raise RuntimeError("crash in the middle of an action")
    with db.read_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Client)) == 0


def test_timestamps_come_back_aware_in_utc(db: Database) -> None:
    paris_summer = timezone(timedelta(hours=2))
    waived = datetime(2026, 3, 29, 3, 30, tzinfo=paris_summer)  # DST change night
    with db.session_scope() as session:
        session.add(make_client(consumer_waiver_at=waived))
    with db.read_session() as session:
        stored = session.scalars(sa.select(Client.consumer_waiver_at)).one()
    assert stored == waived
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_naive_timestamps_are_refused(db: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive"), db.session_scope() as session:
        session.add(make_client(consumer_waiver_at=datetime(2026, 1, 1, 12, 0)))  # noqa: DTZ001


def provider(**values: object) -> Provider:
    fields: dict[str, object] = {
        "name": "Nuage SAS",
        "legal_form": "SAS",
        "share_capital": Decimal("10000.00"),
        "address_line1": "1 rue de la Paix",
        "postcode": "35000",
        "city": "Rennes",
        "siren": "552081317",
        "rcs_city": "Rennes",
        "vat_number": "FR03552081317",
    }
    fields.update(values)
    return Provider(**fields)


def test_money_round_trips_exactly(db: Database) -> None:
    big = Decimal("999999999999.99")
    with db.session_scope() as session:
        session.add(provider(share_capital=big, recovery_indemnity=Decimal("0.10")))
    with db.read_session() as session:
        row = session.get(Provider, 1)
        assert row is not None
        assert (row.share_capital, row.recovery_indemnity) == (big, Decimal("0.10"))
        assert str(row.default_vat_rate) == "20.00"


@pytest.mark.parametrize("bad", [Decimal("10.005"), 10.5])
def test_money_is_never_rounded_silently(db: Database, bad: object) -> None:
    with pytest.raises(sa.exc.StatementError), db.session_scope() as session:
        session.add(provider(share_capital=bad))


def test_sum_of_amounts_is_exact(db: Database) -> None:
    with db.session_scope() as session:
        session.add(provider(share_capital=Decimal("0.10")))
    with db.read_session() as session:
        total = session.scalar(
            sa.select(sa.func.sum(Provider.share_capital) * 3).select_from(Provider)
        )
    assert Decimal(str(total)).quantize(Decimal("0.01")) == Decimal("0.30")


def test_a_stale_save_is_refused(db: Database) -> None:
    with db.session_scope() as session:
        session.add(make_client())
    with db.read_session() as session:
        stale = session.scalars(sa.select(Client)).one()
    with db.session_scope() as session:
        fresh = session.scalars(sa.select(Client)).one()
        fresh.name = "Boulangerie Martin et Fils"
    with pytest.raises(StaleDataError), db.session_scope() as session:
        session.add(stale)  # the copy read before the other save, version 1
        stale.name = "Écrasement silencieux"
    with db.read_session() as session:
        kept = session.scalars(sa.select(Client)).one()
    assert (kept.name, kept.version) == ("Boulangerie Martin et Fils", 2)


def test_unreachable_server_is_one_french_line() -> None:
    db = Database(resolve_url("postgresql://postgres@127.0.0.1:1/x", environ={}))
    with pytest.raises(DatabaseError) as caught:
        db.check_connection()
    assert caught.value.message.startswith("Connexion impossible au serveur")
    assert "\n" not in caught.value.message


def test_sqlite_url_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_url(Path("rel.db")).database == str(tmp_path / "rel.db")
