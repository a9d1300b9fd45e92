"""What a database must look like after a crash, and what a billed month holds.

Shared by the crash tests (SQLite ``kill -9``, PostgreSQL ``pg_terminate_backend``).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, InvoiceLine
from desktop.db.schema import SEARCH_TABLE
from desktop.domain.enums import InvoiceStatus
from desktop.services.invoice_chain import verify_chain

BilledRow = tuple[str, str | None, InvoiceStatus, Decimal, Decimal, Decimal, int, Decimal]


def sqlite_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check``, ``foreign_key_check`` and the mailbox search index
    checked against the mailboxes (FTS5 ``integrity-check``); empty: none."""
    with closing(sqlite3.connect(path)) as connection:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign = list(connection.execute("PRAGMA foreign_key_check"))
        problems = [] if integrity == ["ok"] else integrity
        problems += [f"foreign key broken: {row}" for row in foreign]
        if _has_table(connection, SEARCH_TABLE):
            try:
                connection.execute(
                    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('integrity-check')"
                )
            except sqlite3.DatabaseError as exc:
                problems.append(f"{SEARCH_TABLE}: {exc}")
    return problems


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    found = connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,))
    return found.fetchone() is not None


def invoicing_problems(db: Database) -> list[str]:
    """Invoices without lines, gaps or repeats in a number series, a broken chain."""
    with db.read_session() as session:
        empty = session.scalars(
            sa.select(Invoice.id).where(~sa.exists().where(InvoiceLine.invoice_id == Invoice.id))
        ).all()
        numbers = session.scalars(sa.select(Invoice.number).where(Invoice.number.is_not(None)))
        series: dict[str, list[int]] = defaultdict(list)
        for number in numbers:
            prefix, _, sequence = (number or "").partition("-")
            series[prefix].append(int(sequence))
    problems = [f"invoice {invoice_id} has no line" for invoice_id in empty]
    for prefix, sequences in series.items():
        if sorted(sequences) != list(range(1, len(sequences) + 1)):
            problems.append(f"series {prefix} is not 1 … {len(sequences)} without gap")
    chain = verify_chain(db)
    if not chain.intact:
        problems.append(f"chain broken at {chain.broken_number}: {chain.problem}")
    return problems


def billed_month(db: Database, month: date) -> list[BilledRow]:
    """The month's invoices by number: client code, number, status, totals, lines and
    their sum (timestamps and hashes left out: they differ between two runs)."""
    lines = (
        sa.select(
            InvoiceLine.invoice_id,
            sa.func.count().label("count"),
            sa.func.sum(InvoiceLine.amount_excl_vat).label("amount"),
        )
        .group_by(InvoiceLine.invoice_id)
        .subquery()
    )
    with db.read_session() as session:
        rows = session.execute(
            sa.select(
                Client.code,
                Invoice.number,
                Invoice.status,
                Invoice.total_excl_vat,
                Invoice.total_vat,
                Invoice.total_incl_vat,
                sa.func.coalesce(lines.c.count, 0),
                sa.func.coalesce(lines.c.amount, 0),
            )
            .join(Client, Client.id == Invoice.client_id)
            .outerjoin(lines, lines.c.invoice_id == Invoice.id)
            .where(Invoice.billing_month == month)
            .order_by(Invoice.number, Client.code)
        ).all()
    return [
        (
            code,
            number,
            status,
            excl,
            vat,
            incl,
            int(count),
            Decimal(str(amount)).quantize(Decimal("0.01")),
        )
        for code, number, status, excl, vat, incl, count, amount in rows
    ]
