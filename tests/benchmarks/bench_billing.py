"""``billing_run``: one month billed and issued for the 5 000-client demo (~100 000 mailboxes).

The run works on a copy of the cached demo file (SQLite backup API), so the
shared data set keeps no invoice. With ``--db URL`` it bills the given
database itself: the month after the last one billed there, for good.
The baseline, measured on the same database in the same run, is the plainest
form of the same volume: every mailbox read by a bare SELECT, then as many
rows as the run wrote lines inserted with the DB-API ``executemany`` into a
table without index, one transaction.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from desktop.db.engine import Database, sqlite_url
from desktop.db.models import Invoice, InvoiceLine, Mailbox
from desktop.domain.periods import add_months
from desktop.services.billing_run import BillingPreview, preview_billing, run_billing
from tests.benchmarks.harness import Context, Result, benchmark

ACTOR = "bench"


@benchmark(
    "billing_run",
    unit="s",
    max_value=30,
    description=(
        "Facturation d'un mois (factures émises : numéros, instantanés, chaîne) pour la démo "
        "de 5 000 clients (~100 000 boîtes), copie SQLite ; référence : SELECT de toutes les "
        "boîtes + executemany du même nombre de lignes dans une table sans index."
    ),
)
def billing_run_month(ctx: Context) -> Result:
    if ctx.db_url is not None:
        return _measure(ctx.dataset())
    ctx.dataset()  # builds the cached demo file if needed
    ctx.close()
    ctx.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ctx.cache_dir) as folder:
        copy = Path(folder) / "billing.sqlite3"
        _copy_sqlite(ctx.cache_file, copy)
        db = Database(sqlite_url(copy))
        try:
            return _measure(db)
        finally:
            db.dispose()


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _measure(db: Database) -> Result:
    month = _month_to_bill(db)
    preview = preview_billing(db, month)
    start = time.perf_counter()
    report = run_billing(db, month, actor=ACTOR, today=month)
    value = time.perf_counter() - start
    _check(db, month, preview, report.numbers, report.invoices_created)
    print(
        f"  {month:%Y-%m} : {report.invoices_created} factures émises "
        f"({report.numbers[0]} … {report.numbers[-1]}), {preview.lines} lignes, "
        f"{report.invoices_created / value:.0f} clients/s, "
        f"{report.total_incl_vat} € TTC",
        flush=True,
    )
    return Result(value, _baseline_seconds(db, preview.lines))


def _month_to_bill(db: Database) -> date:
    """The month after the last one billed, else the month of the latest activation."""
    with db.read_session() as session:
        billed = session.execute(sa.select(sa.func.max(Invoice.billing_month))).scalar()
        if billed is not None:
            return add_months(billed, 1)
        latest = session.execute(sa.select(sa.func.max(Mailbox.activated_on))).scalar_one()
    return date(latest.year, latest.month, 1)


def _check(
    db: Database, month: date, preview: BillingPreview, numbers: tuple[str, ...], created: int
) -> None:
    with db.read_session() as session:
        invoices = session.execute(
            sa.select(sa.func.count(Invoice.id)).where(Invoice.billing_month == month)
        ).scalar_one()
        lines = session.execute(
            sa.select(sa.func.count(InvoiceLine.id))
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.billing_month == month)
        ).scalar_one()
    problems = []
    if created != preview.clients or created < 1000:
        problems.append(f"{created} factures créées, {preview.clients} prévues")
    if invoices != preview.clients + preview.already_billed:
        problems.append(f"{invoices} factures du mois en base")
    if lines < preview.lines:
        problems.append(f"{lines} lignes en base, {preview.lines} prévues")
    if len(set(numbers)) != created:
        problems.append(f"{len(set(numbers))} numéros distincts pour {created} factures")
    if problems:
        raise SystemExit("billing_run : " + " ; ".join(problems))


# --- baseline ---------------------------------------------------------------------------

_RAW_LINE = (
    "id INTEGER PRIMARY KEY, invoice_id INTEGER, position INTEGER, kind VARCHAR(32), "
    "description VARCHAR(500), quantity NUMERIC(12, 3), unit_price_excl_vat NUMERIC(14, 4), "
    "vat_rate NUMERIC(5, 2), amount_excl_vat NUMERIC(14, 2), period_start DATE, "
    "period_end DATE, mailbox_id INTEGER, contract_id INTEGER, plan_id INTEGER"
)


def _baseline_seconds(db: Database, count: int) -> float:
    """Seconds to read every mailbox and insert ``count`` line-sized rows, bare driver."""
    mark = "?" if db.is_sqlite else "%s"
    connection: Any = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"CREATE TABLE bench_billing_line ({_RAW_LINE})")
        connection.commit()
        start = time.perf_counter()
        cursor.execute(
            "SELECT id, contract_id, plan_id, address, activated_on, ends_on FROM mailbox"
        )
        boxes = cursor.fetchall()
        rows = [_raw_row(i, boxes[i % len(boxes)]) for i in range(1, count + 1)]
        if db.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        marks = ", ".join([mark] * len(rows[0]))
        cursor.executemany(f"INSERT INTO bench_billing_line VALUES ({marks})", rows)
        connection.commit()
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_billing_line")
        connection.commit()
        return elapsed
    finally:
        connection.close()


def _raw_row(index: int, box: tuple[Any, ...]) -> tuple[Any, ...]:
    mailbox_id, contract_id, plan_id, address = box[:4]
    return (
        index, index // 20 + 1, index % 20 + 1, "subscription",
        f"Boîte {address} — Exchange 2013 Standard 10 Go — mars 2026", "1.000", "4.9000",
        "20.00", "4.90", "2026-03-01", "2026-03-31", mailbox_id, contract_id, plan_id,
    )  # fmt: skip
