"""One engine and two session factories per application, SQLite or PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL`` and foreign keys on; the
driver's own transaction handling is switched off so that a write session
starts with ``BEGIN IMMEDIATE`` (it takes the write lock at once instead of
failing half-way) and a read session with a plain ``BEGIN``. PostgreSQL goes
through the same code with psycopg 3.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from desktop.db import audit
from desktop.db.sqlite_files import make_database_private
from desktop.errors import DatabaseError
from desktop.paths import default_database_path
from desktop.settings import LocalSettings, load_local_settings, settings_path

ENV_VAR = "BACKOFFICE_DB"
SQLITE_BUSY_TIMEOUT_S = 15
PG_CONNECT_TIMEOUT_S = 5


def resolve_url(
    value: str | None,
    environ: Mapping[str, str] = os.environ,
    settings: LocalSettings | None = None,
) -> URL:
    """The database to use: ``--db`` value, else $BACKOFFICE_DB, else the database
    saved in this desktop's settings, else the user's file.

    ``settings`` defaults to the ones saved on this desktop (read only when
    needed). A plain path (no ``scheme://``) means an SQLite file;
    ``postgresql://`` is taken as ``postgresql+psycopg://``.
    """
    text = (value or environ.get(ENV_VAR) or "").strip()
    if text:
        return parse_database_url(text)
    if settings is None:
        settings = load_local_settings()
    saved = (settings.database_url or "").strip()
    if not saved:
        return sqlite_url(default_database_path())
    try:
        return parse_database_url(saved)
    except DatabaseError as exc:
        raise DatabaseError(
            f"{exc.message} Cette adresse vient des paramètres de ce poste ({settings_path()}) : "
            "corrigez-la, ou lancez le programme avec --db."
        ) from None


def parse_database_url(text: str) -> URL:
    """A database named by a path or a URL (see :func:`resolve_url`)."""
    text = text.strip()
    if "://" not in text:
        return sqlite_url(Path(text).expanduser())
    try:
        url = sa.make_url(text)
    except (sa.exc.ArgumentError, ValueError):
        raise DatabaseError(
            f"Adresse de base de données invalide : « {text} » "
            "(attendu : un chemin de fichier, sqlite:///chemin ou postgresql+psycopg://…)."
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql" and url.get_driver_name() in ("psycopg2", "psycopg", ""):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.get_driver_name() in ("pysqlite", ""):
        return url.set(drivername="sqlite+pysqlite")
    raise DatabaseError(
        f"Type de base de données non pris en charge : « {url.drivername} » "
        "(seuls SQLite et PostgreSQL sont acceptés)."
    )


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path.absolute()))


def sqlite_path(url: URL) -> Path | None:
    """The file behind an SQLite URL; None for PostgreSQL or in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def describe_url(url: URL) -> str:
    """A human description of the database, without any password."""
    path = sqlite_path(url)
    if path is not None:
        return f"SQLite — {path}"
    if url.get_backend_name() == "sqlite":
        return "SQLite — en mémoire"
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    user = f"{url.username}@" if url.username else ""
    return f"PostgreSQL — {user}{host}{port}/{url.database or ''}"


def create_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "backoffice"},
    )


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    file = sqlite_path(url)
    on_disk = file is not None

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if on_disk:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()
        if file is not None:
            make_database_private(file)

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """The application's database: its engine and its session factories."""

    def __init__(self, url: URL, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine if engine is not None else create_engine(url)
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = sessionmaker(bind=writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        for factory in (self._write_sessions, self._read_sessions):
            audit.install(factory)  # every change is written to the audit trail

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def description(self) -> str:
        return describe_url(self.url)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """One user action that writes: committed at the end, rolled back on error."""
        with translate_errors(self.url) as phase:
            with self._write_sessions() as session, session.begin():
                yield session
                session.flush()  # the action's own failures come before the commit
                phase.committing = True

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A unit of work that only reads: closing it rolls back whatever it did."""
        with translate_errors(self.url), self._read_sessions() as session:
            yield session

    def check_connection(self) -> None:
        with translate_errors(self.url), self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass
class Phase:
    committing: bool = False
    """Set once the work is done and only the COMMIT is left: a connection lost then
    leaves the outcome unknown (the server may have committed before the cut)."""


@contextmanager
def translate_errors(url: URL) -> Iterator[Phase]:
    """Turn driver failures to reach or read the database into one French line."""
    phase = Phase()
    try:
        yield phase
    except sa.exc.DatabaseError as exc:  # OperationalError is one of them
        if exc.connection_invalidated:
            # An open connection dropped mid-action (server restart, network cut,
            # pg_terminate_backend): its transaction is gone, and the pool will hand a
            # new connection to the next action.
            if phase.committing:
                raise DatabaseError(commit_uncertain_message(url)) from exc
            raise DatabaseError(connection_lost_message(url)) from exc
        if isinstance(exc, sa.exc.OperationalError) and _is_connection_failure(exc):
            raise DatabaseError(connection_failure_message(url, exc)) from exc
        if "malformed" in str(exc.orig) or "not a database" in str(exc.orig):
            raise DatabaseError(corrupt_message(url)) from exc
        raise


def _is_connection_failure(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(marker in text for marker in _FAILURES) or "unable to open database" in text


_FAILURES: dict[str, str] = {
    "connection refused": "connexion refusée (le serveur est-il démarré ?)",
    "could not translate host name": "nom d'hôte inconnu",
    "name or service not known": "nom d'hôte inconnu",
    "timeout expired": "délai de connexion dépassé",
    "password authentication failed": "identifiant ou mot de passe refusé",
    "no password supplied": "mot de passe manquant",
    "does not exist": "",
    "server closed the connection": "le serveur a fermé la connexion",
    "terminating connection": "le serveur a fermé la connexion",
    "no route to host": "serveur injoignable",
    "network is unreachable": "réseau injoignable",
    "consuming input failed": "connexion interrompue",
}


def connection_failure_message(url: URL, exc: Exception) -> str:
    where = describe_url(url)
    text = str(getattr(exc, "orig", exc))
    if url.get_backend_name() == "sqlite":
        return (
            f"Impossible d'ouvrir la base de données ({where}) : "
            "fichier ou dossier inaccessible en écriture."
        )
    missing = re.search(r'(database|role) "([^"]+)" does not exist', text)
    if missing:
        what = "la base" if missing.group(1) == "database" else "l'utilisateur"
        return f"Connexion impossible ({where}) : {what} « {missing.group(2)} » n'existe pas."
    lowered = text.lower()
    reason = next(
        (label for marker, label in _FAILURES.items() if label and marker in lowered),
        "serveur injoignable",
    )
    return f"Connexion impossible au serveur de base de données ({where}) : {reason}."


def connection_lost_message(url: URL) -> str:
    return (
        f"La connexion à la base de données a été perdue ({describe_url(url)}) : "
        "rien n'a été enregistré. Réessayez ; si cela se reproduit, vérifiez le réseau "
        "et le serveur."
    )


def commit_uncertain_message(url: URL) -> str:
    return (
        f"La connexion à la base de données a été perdue pendant l'enregistrement "
        f"({describe_url(url)}) : impossible de savoir s'il a abouti. Actualisez (F5) pour "
        "vérifier avant de recommencer ; si cela se reproduit, vérifiez le réseau et le serveur."
    )


def corrupt_message(url: URL) -> str:
    return (
        f"La base de données est illisible ou endommagée ({describe_url(url)}) ; "
        "elle n'a pas été modifiée. Restaurez une sauvegarde."
    )
