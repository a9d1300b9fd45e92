"""An import of 5 000 mailboxes killed (SIGKILL) while its rows are being inserted, on SQLite.

The child runs ``backoffice import mailboxes FILE`` and is killed after the
first 2 000-row insert, or after the last one, just before the commit. The
import being one transaction, the file must be sound and hold none of the
rows; importing the file again writes each row exactly once, and a third time
writes nothing (every address already exists).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa

from desktop.db.engine import Database, sqlite_path
from desktop.db.models import Mailbox
from desktop.services.importing import ImportKind, import_file
from desktop.services.importing.apply import INSERT_CHUNK
from tests.crash.crash_checks import sqlite_problems
from tests.crash.crash_worker import run_until_paused
from tests.services.factories import ACTOR, world

ROWS = 5_000
HEADERS = ["Adresse e-mail", "Formule", "Contrat", "Nom affiché", "Quota (Go)"]
LAST_CHUNK = -(-ROWS // INSERT_CHUNK)


def _addresses() -> list[str]:
    return [f"boite{n:05d}@acme.fr" for n in range(ROWS)]


def _write(path: Path) -> Path:
    rows = [
        HEADERS,
        *([address, "HE-STD", "", f"Boîte n° {n}", ""] for n, address in enumerate(_addresses())),
    ]
    if path.suffix == ".csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=";").writerows(rows)
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        return path
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _addresses_in(db: Database) -> list[str]:
    with db.read_session() as session:
        return list(session.scalars(sa.select(Mailbox.address).order_by(Mailbox.address)))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "nth"),
    [("boites.csv", 1), ("boites.xlsx", LAST_CHUNK)],
    ids=["csv-first", "xlsx-last"],
)
def test_killed_import_leaves_nothing_and_a_rerun_imports_each_row_once(
    sqlite_db: Database, tmp_path: Path, name: str, nth: int
) -> None:
    world(sqlite_db)
    path = sqlite_path(sqlite_db.url)
    assert path is not None
    source = _write(tmp_path / name)
    run_until_paused(
        "INSERT INTO mailbox (", nth, ["cli", "--db", str(path), "import", "mailboxes", str(source)]
    )

    assert sqlite_problems(path) == []
    assert _addresses_in(sqlite_db) == []

    report = import_file(sqlite_db, ImportKind.MAILBOXES, source, actor=ACTOR)
    assert (report.problems, report.imported) == ((), ROWS)
    assert _addresses_in(sqlite_db) == _addresses()
    assert sqlite_problems(path) == []

    again = import_file(sqlite_db, ImportKind.MAILBOXES, source, actor=ACTOR)
    assert (again.imported, len(again.problems)) == (0, ROWS)
    assert again.problems[0].text() == (
        "Ligne 2, colonne « Adresse e-mail » : L'adresse boite00000@acme.fr existe déjà."
    )
    assert _addresses_in(sqlite_db) == _addresses()
