"""Processes issuing invoices at the same time: the numbering concurrency test and
the ``numbering_pg`` benchmark.

The functions run in children started with the "spawn" context, so this is a
plain importable module (no ``test_`` prefix, no fixtures): each child opens
its own :class:`Database` from a URL and imports ``tests.`` modules through
the ``sys.path`` the parent hands down (the repository root, as under pytest
or ``tests/benchmarks/run.py``). Every child waits on one barrier, with the
parent, before it issues anything, so the issuing really overlaps.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Invoice
from desktop.domain.enums import InvoiceStatus
from desktop.services.invoice_chain import verify_chain
from desktop.services.issuing import issue_drafts, issue_invoices
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import draft_invoice

TODAY = date(2026, 3, 2)
WAIT_S = 180.0  # longest wait for a child (start, results): a hung run fails, never hangs


@dataclass(frozen=True)
class Job:
    url: str  # the database, rendered with its password
    client_id: int
    count: int  # invoices to make and issue, one by one
    drafts_first: bool = False  # make every draft before the start: only issuing overlaps


@dataclass(frozen=True)
class Outcome:
    worker: int
    issued: tuple[tuple[int, str], ...] = ()  # (invoice id, number) in the order issued
    began: float = 0.0  # time.monotonic() (one clock for all processes) at the start
    ended: float = 0.0  # and once the last number was given
    error: str | None = None

    @property
    def seconds(self) -> float:
        return self.ended - self.began


@dataclass(frozen=True)
class Run:
    outcomes: tuple[Outcome, ...]
    seconds: float  # wall clock, from the barrier's release to the last child's result

    @property
    def issued(self) -> dict[int, str]:
        return {i: number for o in self.outcomes for i, number in o.issued}

    @property
    def overlapped(self) -> bool:
        """Every process was issuing (or waiting to) while every other one was."""
        return max(o.began for o in self.outcomes) < min(o.ended for o in self.outcomes)


def context() -> multiprocessing.context.SpawnContext:
    return multiprocessing.get_context("spawn")


# --- in the children ----------------------------------------------------------------------


def issue_series(worker: int, job: Job, start: Barrier, results: Queue[Outcome]) -> None:
    """Make and issue ``job.count`` invoices one at a time, each issue (``issue_drafts``)
    a transaction of its own; put what was issued, or the error, on ``results``."""
    try:
        db = Database(sa.make_url(job.url))
        try:
            db.check_connection()
            drafts = (
                [draft_invoice(db, job.client_id) for _ in range(job.count)]
                if job.drafts_first
                else None
            )
            start.wait(WAIT_S)
            outcome = _issue(worker, db, job, drafts)
        finally:
            db.dispose()
        results.put(outcome)
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the run
        start.abort()  # nobody waits for a child that will never come
        results.put(Outcome(worker, error=traceback.format_exc()))


def _issue(worker: int, db: Database, job: Job, drafts: list[int] | None) -> Outcome:
    began = time.monotonic()
    issued: list[tuple[int, str]] = []
    for position in range(job.count):
        invoice_id = drafts[position] if drafts is not None else draft_invoice(db, job.client_id)
        (number,) = issue_drafts(db, [invoice_id], actor=ACTOR, today=TODAY)
        issued.append((invoice_id, number))
    return Outcome(worker, tuple(issued), began, time.monotonic())


def hold_number(url: str, invoice_id: int, holding: Event, taken: Queue[str]) -> None:
    """Issue ``invoice_id`` in an open transaction, say which number it took, then wait
    to be killed; never commits (it exits without committing if nobody kills it)."""
    db = Database(sa.make_url(url))
    with db.session_scope() as session:
        (number,) = issue_invoices(session, [invoice_id], actor=ACTOR, today=TODAY)
        session.flush()  # every row written and locked, as just before a commit
        taken.put(number)
        holding.set()
        time.sleep(WAIT_S)
        os._exit(3)


def issue_one(url: str, invoice_id: int, ready: Event, results: Queue[str]) -> None:
    """Issue one prepared draft (``ready`` is set just before), put its number
    (or the error)."""
    try:
        db = Database(sa.make_url(url))
        db.check_connection()
        ready.set()
        (number,) = issue_drafts(db, [invoice_id], actor=ACTOR, today=TODAY)
        db.dispose()
        results.put(number)
    except BaseException:  # noqa: BLE001 - the parent compares it with the number expected
        ready.set()
        results.put(traceback.format_exc())


# --- in the parent ------------------------------------------------------------------------


def run_workers(job: Job, processes: int) -> Run:
    """Start ``processes`` children on ``job`` together; their outcomes once all are done.

    Raises AssertionError with the child's traceback when one failed."""
    spawn = context()
    start = spawn.Barrier(processes + 1)
    results: Queue[Outcome] = spawn.Queue()
    children = [
        spawn.Process(target=issue_series, args=(worker, job, start, results), daemon=True)
        for worker in range(processes)
    ]
    try:
        for child in children:
            child.start()
        try:
            start.wait(WAIT_S)
        except threading.BrokenBarrierError:  # a child failed before the start: see below
            pass
        began = time.perf_counter()
        outcomes = _collect(results, children)
        seconds = time.perf_counter() - began
        for child in children:
            child.join(WAIT_S)
    finally:
        stop(children)
    errors = [o.error for o in outcomes if o.error is not None]
    if errors:
        raise AssertionError(f"{len(errors)} worker(s) failed; the first:\n{errors[0]}")
    return Run(tuple(sorted(outcomes, key=lambda o: o.worker)), seconds)


def _collect(
    results: Queue[Outcome], children: Sequence[multiprocessing.process.BaseProcess]
) -> list[Outcome]:
    """One outcome per child; fails at once if a child died without one, or at WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    outcomes: list[Outcome] = []
    while len(outcomes) < len(children):
        try:
            outcomes.append(results.get(timeout=1))
            continue
        except queue.Empty:
            pass
        dead = [c.exitcode for c in children if c.exitcode not in (None, 0)]
        if dead:
            raise AssertionError(f"a worker died without a result (exit code {dead[0]})")
        if time.monotonic() > deadline:
            raise AssertionError(f"no result from some worker within {WAIT_S:.0f} s")
    return outcomes


def stop(children: Sequence[multiprocessing.process.BaseProcess]) -> None:
    for child in children:
        if child.pid is None:  # never started
            continue
        if child.is_alive():
            child.kill()
        child.join()


def expected_numbers(total: int, year: int = TODAY.year) -> list[str]:
    return [f"F{year}-{seq:06d}" for seq in range(1, total + 1)]


def numbering_problems(db: Database, run: Run, total: int) -> list[str]:
    """What is wrong with what the children issued (an empty list: nothing).

    The issued numbers must be exactly F{year}-000001 … ``total``, each once, in
    chain order 1 … ``total``; each child's numbers come back increasing; what the
    children were given is what the database holds; the hash chain is intact."""
    with db.read_session() as session:
        rows = session.execute(
            sa.select(Invoice.id, Invoice.number, Invoice.chain_index)
            .where(Invoice.status != InvoiceStatus.DRAFT)
            .order_by(Invoice.chain_index)
        ).all()
    problems = _sequence_problems([row.number for row in rows], total)
    if [row.chain_index for row in rows] != list(range(1, len(rows) + 1)):
        problems.append("chain_index is not 1 … n in issue order")
    if [row.number for row in rows] != sorted(row.number for row in rows):
        problems.append("chain order and number order differ")
    if {row.id: row.number for row in rows} != run.issued:
        problems.append("the numbers the workers got differ from the database's")
    for outcome in run.outcomes:
        numbers = [number for _, number in outcome.issued]
        if numbers != sorted(set(numbers)):
            problems.append(f"worker {outcome.worker} got numbers out of order")
    report = verify_chain(db)
    if not report.intact:
        problems.append(f"chain broken at {report.broken_number}: {report.problem}")
    return problems


def _sequence_problems(numbers: list[str | None], total: int) -> list[str]:
    expected = expected_numbers(total)
    if sorted(numbers, key=str) == expected:
        return []
    repeated = sorted(n for n, times in Counter(numbers).items() if times > 1 and n)
    missing = sorted(set(expected) - set(numbers))
    extra = sorted(n for n in set(numbers) - set(expected) if n)
    return [
        f"{len(numbers)} numbers issued, {total} expected; "
        f"repeated {repeated[:10]}, missing {missing[:10]}, unexpected {extra[:10]}"
    ]
