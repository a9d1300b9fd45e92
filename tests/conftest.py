"""Shared fixtures: an isolated user data folder, and a migrated database per test.

Every test using ``db`` runs twice: on a fresh SQLite file and on PostgreSQL
(a throw-away database per test run, emptied after each test). Without a
reachable server the PostgreSQL runs are skipped, except under CI=true where
they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database, sqlite_url
from desktop.db.models import Base
from desktop.db.schema import upgrade
from desktop.services.demo import generate_demo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DEMO_CLIENTS = 30
DEMO_TODAY = date(2026, 11, 22)

PG_ADMIN_URL = os.environ.get(
    "BACKOFFICE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the real user's data folder and $BACKOFFICE_DB."""
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("BACKOFFICE_DB", raising=False)
    return home


def _pg_reachable() -> str | None:
    """None when the server answers, else why not."""
    engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A new PostgreSQL database for this test run (or xdist worker), dropped at the end."""
    problem = _pg_reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"bo_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated(pg_database_url: str) -> str:
    db = Database(sa.make_url(pg_database_url))
    upgrade(db)
    db.dispose()
    return pg_database_url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database(sqlite_url(path))
    upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A SQLite file holding the demo data of 30 clients, made once per run."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = Database(sqlite_url(path))
    generate_demo(db, clients=DEMO_CLIENTS, today=DEMO_TODAY)
    db.dispose()
    return path


@pytest.fixture
def demo_db(tmp_path: Path, demo_template: Path) -> Iterator[Database]:
    """A copy of the demo database, free to change."""
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, path)
    database = Database(sqlite_url(path))
    yield database
    database.dispose()


def _empty_all_tables(db: Database) -> None:
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a fresh SQLite file, or the run's PostgreSQL one."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(sqlite_url(path))
        yield database
        database.dispose()
        return
    database = Database(sa.make_url(request.getfixturevalue("pg_migrated")))
    try:
        yield database
    finally:
        _empty_all_tables(database)
        database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """Only SQLite: for what is specific to files (WAL, backups, corruption)."""
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(sqlite_template, path)
    database = Database(sqlite_url(path))
    yield database
    database.dispose()
