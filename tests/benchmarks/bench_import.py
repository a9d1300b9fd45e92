"""``import_mailboxes``: 10 000 mailboxes read from an .xlsx file, checked and imported.

The rows point to existing domains, plans and open contracts of the 5 000-client
demo data set; the import works on a copy of the cached SQLite file (SQLite
backup API), so the shared data set keeps no imported mailbox. With ``--db URL``
the given database itself receives the mailboxes, for good.
The baseline, measured in the same run, is the plainest form of the same
volume: the same workbook read by openpyxl, then as many rows inserted with the
DB-API ``executemany`` into a table without index, one transaction.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa

from desktop.db.engine import Database, sqlite_url
from desktop.db.models import Contract, Domain, Mailbox, Plan
from desktop.domain.lifecycle import CLOSED_CONTRACTS
from desktop.services.importing import ImportKind, import_file
from tests.benchmarks.harness import Context, Result, benchmark

ACTOR = "bench"
ROWS = 10_000


@benchmark(
    "import_mailboxes",
    unit="s",
    max_value=10,
    description=(
        "Import de 10 000 boîtes aux lettres depuis un .xlsx (lecture, vérification de chaque "
        "ligne, insertion en une transaction) dans la démo de 5 000 clients, copie SQLite ; "
        "référence : lecture openpyxl du même classeur + executemany dans une table sans index."
    ),
)
def import_mailboxes(ctx: Context) -> Result:
    if ctx.db_url is not None:
        return _measure(ctx.dataset())
    ctx.dataset()  # builds the cached demo file if needed
    ctx.close()
    ctx.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ctx.cache_dir) as folder:
        copy = Path(folder) / "import.sqlite3"
        with sqlite3.connect(ctx.cache_file) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        db = Database(sqlite_url(copy))
        try:
            return _measure(db)
        finally:
            db.dispose()


def _targets(db: Database) -> list[tuple[str, str, str]]:
    """(domain, plan code, contract number) for open contracts, active plans of their line."""
    stmt = (
        sa.select(Domain.name, Plan.code, Contract.number)
        .join(Contract, Contract.client_id == Domain.client_id)
        .join(Plan, Plan.product_line_id == Contract.product_line_id)
        .where(Plan.active, Contract.status.not_in(list(CLOSED_CONTRACTS)))
        .order_by(Domain.id, Contract.id, Plan.id)
    )
    with db.read_session() as session:
        return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def _workbook(db: Database, tag: str) -> bytes:
    targets = _targets(db)
    if not targets:
        raise SystemExit("import_mailboxes : aucun domaine avec un contrat ouvert")
    # An ordinary workbook, as Excel writes them: shared strings, dimension recorded.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Adresse e-mail", "Formule", "Contrat", "Nom affiché", "Quota (Go)"])
    for index in range(ROWS):
        domain, plan, contract = targets[index % len(targets)]
        local = f"import.{tag}.{index:05d}"
        sheet.append([f"{local}@{domain}", plan, contract, f"Import {index}", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _count(db: Database) -> int:
    with db.read_session() as session:
        return int(session.execute(sa.select(sa.func.count(Mailbox.id))).scalar_one())


def _measure(db: Database) -> Result:
    data = _workbook(db, f"{time.time_ns() % 1_000_000:06d}")
    before = _count(db)
    start = time.perf_counter()
    report = import_file(db, ImportKind.MAILBOXES, data, filename="boites.xlsx", actor=ACTOR)
    value = time.perf_counter() - start
    if report.problems or report.imported != ROWS or _count(db) != before + ROWS:
        shown = "; ".join(p.text() for p in report.problems[:5])
        raise SystemExit(f"import_mailboxes : {report.imported} importées. {shown}")
    print(f"  {ROWS} boîtes importées, {ROWS / value:.0f} lignes/s", flush=True)
    return Result(value, _baseline_seconds(db, data))


def _baseline_seconds(db: Database, data: bytes) -> float:
    """Seconds to read the workbook and insert its rows with the bare driver."""
    mark = "?" if db.is_sqlite else "%s"
    connection: Any = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(
            "CREATE TABLE bench_import_mailbox (id INTEGER PRIMARY KEY, address VARCHAR(320), "
            "plan VARCHAR(40), contract VARCHAR(35), display_name VARCHAR(200), quota INTEGER)"
        )
        connection.commit()
        start = time.perf_counter()
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [
            (tuple(row) + (None,) * 5)[:5]
            for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)
        ]
        workbook.close()
        if db.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(
            "INSERT INTO bench_import_mailbox (address, plan, contract, display_name, quota) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
            rows,
        )
        connection.commit()
        value = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_import_mailbox")
        connection.commit()
        return value
    finally:
        connection.close()
