"""Backups of the database, and restoring one.

SQLite files are copied with SQLite's online backup API (consistent while
other desktops write), into the user's ``backups`` folder once a day at start
and before each migration, 14 of each kind kept. ``backup`` writes a copy where
the user asks (PostgreSQL: through ``pg_dump``). ``restore`` checks a copy
completely — SQLite integrity, this application's schema, the invoice chain —
on a throw-away copy before anything is replaced, and keeps the replaced file
aside. Every file written is readable by the user only, where the OS allows.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from desktop.db.engine import Database, sqlite_path, sqlite_url
from desktop.db.schema import SchemaStatus, inspect_schema, premigration_pattern, upgrade
from desktop.db.sqlite_files import (
    KEEP_BACKUPS,
    SQLITE_HEADER,
    backup_sqlite_file,
    keep_newest,
    make_private,
    private_folder,
    read_only_engine,
)
from desktop.domain.clock import paris_today, utc_now
from desktop.errors import UserError
from desktop.paths import backup_dir, default_database_path

log = logging.getLogger(__name__)

PG_DUMP_TIMEOUT_S = 3600


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes
    tool: str  # "sqlite" or "pg_dump"


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    kept_aside: Path | None  # the replaced file, copied aside (None: there was none)
    from_revision: str  # the schema revision of the copy restored
    revision: str  # the revision of the database now (the copy, migrated if older)

    @property
    def upgraded(self) -> bool:
        return self.from_revision != self.revision


# --- copies -----------------------------------------------------------------------------


def backup_sqlite(db_path: Path, target: Path) -> Path:
    """A consistent copy of the SQLite file ``db_path`` at ``target`` (private);
    ``target`` is either the complete copy or untouched. The absolute target."""
    target = target.expanduser().absolute()
    try:
        backup_sqlite_file(db_path, target)
    except sqlite3.Error as exc:
        raise UserError(f"Sauvegarde impossible de « {db_path} » : {exc}.") from None
    except OSError as exc:
        raise UserError(f"Impossible d'écrire {target} : {exc.strerror or exc}.") from None
    return target


def daily_pattern(stem: str) -> str:
    return rf"{re.escape(stem)}-\d{{4}}-\d{{2}}-\d{{2}}\.sqlite3"


def aside_pattern(stem: str) -> str:
    return rf"{re.escape(stem)}-avant-restauration-\d{{8}}T\d{{6}}Z\.sqlite3"


def daily_backup(
    db: Database, *, today: date | None = None, keep: int = KEEP_BACKUPS
) -> Path | None:
    """Today's copy of an SQLite file in the backups folder, unless it exists already;
    the copy made, or None (already done today, PostgreSQL, no file yet)."""
    path = sqlite_path(db.url)
    if path is None or not path.is_file():
        return None
    day = today if today is not None else paris_today()
    target = backup_dir() / f"{path.stem}-{day.isoformat()}.sqlite3"
    if target.exists():
        return None
    made = backup_sqlite(path, target)
    keep_newest(target.parent, daily_pattern(path.stem), keep)
    keep_newest(target.parent, premigration_pattern(path.stem), keep)
    return made


def backup(db: Database, target: Path) -> BackupResult:
    """A copy of the whole database at ``target``: SQLite file, or ``pg_dump`` archive."""
    target = _checked_target(target)
    path = sqlite_path(db.url)
    if path is not None:
        if target == path.absolute():
            raise UserError("La sauvegarde ne peut pas remplacer la base elle-même.")
        if not path.is_file():
            raise UserError(f"Aucune base à sauvegarder : « {path} » n'existe pas.")
        made = backup_sqlite(path, target)
        return BackupResult(made, made.stat().st_size, "sqlite")
    if not db.is_sqlite:
        return _pg_dump(db.url, target)
    raise UserError("Une base en mémoire ne peut pas être sauvegardée.")


def _checked_target(target: Path) -> Path:
    target = target.expanduser().absolute()
    if not target.parent.is_dir():
        raise UserError(f"Dossier introuvable : {target.parent}")
    if target.is_dir():
        raise UserError(f"{target} est un dossier : indiquez le nom du fichier à écrire.")
    return target


def pg_command_url(url: sa.URL) -> str:
    """The URL as libpq tools read it: no ``+psycopg`` driver, no password."""
    bare = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return bare.render_as_string(hide_password=False)


def _pg_environment(url: sa.URL) -> dict[str, str]:
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return environment


def _pg_dump(url: sa.URL, target: Path) -> BackupResult:
    program = shutil.which("pg_dump")
    by_hand = f'pg_dump --format=custom --file "{target}" "{pg_command_url(url)}"'
    if program is None:
        raise UserError(
            "pg_dump est introuvable : installez les outils clients PostgreSQL (paquet "
            "postgresql-client, ou l'installateur PostgreSQL sous Windows) et ajoutez-les au "
            f"PATH, ou lancez la sauvegarde à la main : {by_hand}"
        )
    partial = target.with_name(f".{target.name}.partial")
    command = [program, "--format=custom", "--file", str(partial), pg_command_url(url)]
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program with our own arguments
            command,
            env=_pg_environment(url),
            capture_output=True,
            text=True,
            timeout=PG_DUMP_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
            reason = lines[-1] if lines else f"code de sortie {done.returncode}"
            raise UserError(f"pg_dump a échoué : {reason}")
        make_private(partial)
        partial.replace(target)
    except subprocess.TimeoutExpired:
        raise UserError("pg_dump n'a pas terminé à temps : sauvegarde abandonnée.") from None
    except OSError as exc:
        raise UserError(f"Impossible d'écrire {target} : {exc.strerror or exc}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, "pg_dump")


# --- restore ----------------------------------------------------------------------------


def restore(db: Database, source: Path) -> RestoreResult:
    """Replace the SQLite file of ``db`` by the copy ``source``, once checked.

    Refused with a French ``UserError``, the current file untouched, when the copy
    is no SQLite file, is damaged, is not a database of this application (or of a
    newer version), or its invoice chain is broken. The current file is first
    copied aside in the backups folder; a copy of an older version is migrated.
    """
    live = sqlite_path(db.url)
    source = source.expanduser().absolute()
    if live is None:
        raise UserError(_pg_restore_advice(db, source))
    live = live.absolute()
    _check_source_file(source, live)
    if live == default_database_path().absolute():
        private_folder(live.parent)  # a first restore on a new computer
    staging = live.with_name(f".{live.name}.restauration")
    _remove_sqlite_files(staging)
    try:
        from_revision, revision = _stage(source, staging)
        db.dispose()  # no connection of this process may stay on the file replaced
        kept = _set_aside(live)
        _install(staging, live)
    finally:
        _remove_sqlite_files(staging)
    make_private(live)
    return RestoreResult(source, kept, from_revision, revision)


def _pg_restore_advice(db: Database, source: Path) -> str:
    if db.is_sqlite:
        return "Une base en mémoire ne peut pas être restaurée."
    return (
        "La restauration d'une base PostgreSQL se fait avec pg_restore, par "
        "l'administrateur de la base, les postes fermés : "
        f'pg_restore --clean --if-exists --dbname "{pg_command_url(db.url)}" "{source}"'
    )


def _check_source_file(source: Path, live: Path) -> None:
    if not source.is_file():
        raise UserError(f"Sauvegarde introuvable : {source}")
    if source == live:
        raise UserError("Ce fichier est la base elle-même : choisissez une sauvegarde.")
    try:
        with source.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise UserError(f"Impossible de lire {source} : {exc.strerror or exc}.") from None
    if header != SQLITE_HEADER:
        raise _refused(source, "n'est pas une base de données SQLite")


def _refused(source: Path, reason: str) -> UserError:
    return UserError(
        f"Restauration refusée : « {source} » {reason}. La base actuelle n'a pas été modifiée."
    )


def _stage(source: Path, staging: Path) -> tuple[str, str]:
    """Copy ``source`` to ``staging`` and check it all; its revision then the head's."""
    try:
        backup_sqlite_file(source, staging)
    except sqlite3.Error as exc:
        raise _refused(source, f"est endommagé ou illisible ({exc})") from None
    except OSError as exc:
        raise UserError(
            f"Restauration impossible : copie de travail impossible à écrire à côté de la "
            f"base ({exc.strerror or exc}). La base actuelle n'a pas été modifiée."
        ) from None
    _check_integrity(source, staging)
    from_revision = _check_schema(source, staging)
    trial = Database(sqlite_url(staging))
    try:
        try:
            revision = upgrade(trial, backup=False).to_revision
        except (UserError, sa.exc.SQLAlchemyError) as exc:
            raise _refused(source, f"ne peut pas être mise à jour ({exc})") from None
        _check_chain(source, trial)
    finally:
        trial.dispose()
    return from_revision, revision


def _check_integrity(source: Path, staging: Path) -> None:
    try:
        with closing(sqlite3.connect(staging)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as exc:
        raise _refused(source, f"est endommagé ({exc})") from None
    if rows != [("ok",)]:
        first = rows[0][0] if rows else "réponse vide"
        raise _refused(source, f"est endommagé (contrôle d'intégrité : {first})")


def _check_schema(source: Path, staging: Path) -> str:
    engine = read_only_engine(staging)
    try:
        with engine.connect() as connection:
            state = inspect_schema(connection)
    except sa.exc.SQLAlchemyError as exc:
        raise _refused(source, f"est endommagé ou illisible ({exc})") from None
    finally:
        engine.dispose()
    if state.status is SchemaStatus.NEWER:
        raise _refused(
            source, f"vient d'une version plus récente de l'application (schéma {state.revision})"
        )
    if state.revision is None:
        raise _refused(source, "n'est pas une base Back-Office Messagerie")
    return state.revision


def _check_chain(source: Path, trial: Database) -> None:
    from desktop.services.invoice_chain import verify_chain

    try:
        report = verify_chain(trial)
    except (UserError, sa.exc.SQLAlchemyError) as exc:
        raise _refused(source, f"ne permet pas de vérifier les factures ({exc})") from None
    if not report.intact:
        raise _refused(
            source,
            f"a une chaîne de factures rompue au document {report.broken_number} "
            f"({report.problem})",
        )


def _set_aside(live: Path) -> Path | None:
    """Copy the file about to be replaced into the backups folder; the copy."""
    if not live.exists():
        return None
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    aside = backup_dir() / f"{live.stem}-avant-restauration-{stamp}.sqlite3"
    try:
        backup_sqlite_file(live, aside)
    except sqlite3.Error:
        # The current file is damaged: keep its bytes as they are.
        log.warning("Current database unreadable, kept aside byte for byte: %s", live)
        for suffix in ("", "-wal"):
            if Path(f"{live}{suffix}").exists():
                shutil.copyfile(f"{live}{suffix}", f"{aside}{suffix}")
        make_private(aside)
    except OSError as exc:
        raise UserError(
            f"Restauration abandonnée : impossible de mettre la base actuelle de côté "
            f"({exc.strerror or exc}). Elle n'a pas été modifiée."
        ) from None
    keep_newest(aside.parent, aside_pattern(live.stem))
    return aside


def _install(staging: Path, live: Path) -> None:
    """Put the checked copy in place: through SQLite (other desktops see a normal
    write), or — when the current file is damaged or absent — by renaming."""
    if live.exists():
        try:
            with (
                closing(sqlite3.connect(staging)) as src,
                closing(sqlite3.connect(live, timeout=15)) as dst,
            ):
                src.backup(dst)
            return
        except sqlite3.OperationalError as exc:  # busy, locked: nothing was written
            raise UserError(
                f"Restauration impossible pour l'instant ({exc}) : fermez l'application sur "
                "les autres postes et recommencez. La base actuelle n'a pas été modifiée."
            ) from None
        except sqlite3.DatabaseError as exc:  # the current file is damaged
            log.warning("Restoring through SQLite failed (%s); replacing the file", exc)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    os.replace(staging, live)


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def daily_backup_logged(db: Database) -> Path | None:
    """:func:`daily_backup` at start: any failure logged, never raised (the start goes on)."""
    try:
        made = daily_backup(db)
    except Exception:  # noqa: BLE001 - a failed backup must not prevent working
        log.exception("Daily backup failed")
        return None
    if made is not None:
        log.info("Daily backup written: %s", made)
    return made
