"""Invoice numbers under concurrency: processes (spawned, each with its own engine)
issuing at the same time still make one sequence with no gap and no duplicate,
and a process killed before its commit gives its number back.

Sizes: PostgreSQL 8 processes, SQLite 2 (it serialises writers with BEGIN
IMMEDIATE and the busy timeout), PER_PROCESS invoices each, every one made
then issued in a transaction of its own. Measured on 2 cores, the issue's
8 × 250 takes 26 s idle but 60 to 80 s with other tests running (as under
``-n 4``), over the ~40 s the unit suite allows; 8 × 60 takes 11 s idle,
24 s in ``pytest -n 4 tests/services``. So the test runs 8 × 60 and the
8 × 250 is the ``numbering_pg`` benchmark (tests/benchmarks/bench_numbering.py):
same workers, same checks.

SQLite's busy handler polls, so one writer often runs dozens of transactions
in a row while the other waits: the processes overlap in time, not number by
number; PostgreSQL queues the waiters on the counter row and serves each early.
"""

from __future__ import annotations

import signal
import time

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Invoice
from desktop.domain.enums import InvoiceStatus
from desktop.services.invoice_chain import verify_chain
from desktop.services.issuing import issue_drafts
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice
from tests.services.numbering_worker import (
    TODAY,
    WAIT_S,
    Job,
    context,
    expected_numbers,
    hold_number,
    issue_one,
    numbering_problems,
    run_workers,
    stop,
)

PG_PROCESSES = 8
SQLITE_PROCESSES = 2
PER_PROCESS = 60


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


@pytest.mark.slow
def test_processes_issuing_at_once_get_one_sequence(db: Database) -> None:
    processes = SQLITE_PROCESSES if db.is_sqlite else PG_PROCESSES
    total = processes * PER_PROCESS
    run = run_workers(Job(_url(db), billing_setup(db), PER_PROCESS), processes)

    assert [len(outcome.issued) for outcome in run.outcomes] == [PER_PROCESS] * processes
    assert sorted(run.issued.values()) == expected_numbers(total)
    assert numbering_problems(db, run, total) == []
    assert run.overlapped
    if not db.is_sqlite:  # waiters queue on the row lock: each process is served early
        first_half = sorted(run.issued.values())[: total // 2]
        assert all(o.issued[0][1] in first_half for o in run.outcomes)


@pytest.mark.slow
def test_a_process_killed_before_its_commit_leaves_no_gap(db: Database) -> None:
    client_id = billing_setup(db)
    for _ in range(2):
        issued_invoice(db, client_id, on=TODAY)
    victim_draft, waiting_draft = draft_invoice(db, client_id), draft_invoice(db, client_id)
    spawn = context()
    holding, ready = spawn.Event(), spawn.Event()
    taken, results = spawn.Queue(), spawn.Queue()
    victim = spawn.Process(
        target=hold_number, args=(_url(db), victim_draft, holding, taken), daemon=True
    )
    waiting = spawn.Process(
        target=issue_one, args=(_url(db), waiting_draft, ready, results), daemon=True
    )
    try:
        victim.start()
        assert holding.wait(WAIT_S), "the victim never took its number"
        assert taken.get(timeout=WAIT_S) == "F2026-000003"
        waiting.start()
        assert ready.wait(WAIT_S)
        _until_queued(db)
        assert results.empty(), "issued while the victim held the counters"
        victim.kill()  # SIGKILL: transaction open, number taken, nothing committed
        victim.join(WAIT_S)
        assert victim.exitcode == -signal.SIGKILL
        assert results.get(timeout=WAIT_S) == "F2026-000003"
        waiting.join(WAIT_S)
    finally:
        stop([victim, waiting])

    assert issue_drafts(db, [draft_invoice(db, client_id)], actor=ACTOR, today=TODAY) == [
        "F2026-000004"
    ]
    with db.read_session() as session:
        killed = session.execute(
            sa.select(Invoice.status, Invoice.number, Invoice.chain_index).where(
                Invoice.id == victim_draft
            )
        ).one()
        issued = session.execute(
            sa.select(Invoice.number, Invoice.chain_index)
            .where(Invoice.status != InvoiceStatus.DRAFT)
            .order_by(Invoice.chain_index)
        ).all()
    assert tuple(killed) == (InvoiceStatus.DRAFT, None, None)
    assert [tuple(row) for row in issued] == [
        (number, index) for index, number in enumerate(expected_numbers(4), start=1)
    ]
    assert verify_chain(db).intact


def _until_queued(db: Database) -> None:
    """Until the second process waits for the victim's lock: PostgreSQL shows it;
    SQLite does not, give it half a second (it waits in its busy handler)."""
    if db.is_sqlite:
        time.sleep(0.5)
        return
    deadline = time.monotonic() + WAIT_S
    query = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while True:
        with db.engine.connect() as connection:
            if connection.exec_driver_sql(query).scalar_one():
                return
        assert time.monotonic() < deadline, "the second process never waited for the lock"
        time.sleep(0.05)
