"""A child process for the crash tests: one real job, stopped dead at a chosen SQL statement.

    python tests/crash/crash_worker.py --pause-at "INSERT INTO invoice_line" --nth 3 \
        billing URL 2026-12 --batch-size 3 --today 2026-11-22
    python tests/crash/crash_worker.py --pause-at "UPDATE alembic_version" --nth 2 \
        cli --db FILE db upgrade

After the NTH execution of a statement starting with PAUSE_AT (on any engine),
the child prints ``PAUSED`` on its standard output and sleeps, its transaction
open, until its parent kills it (:func:`run_until_paused`). The pause is
installed here only, as an SQLAlchemy event: the production code runs
unchanged. Without ``--pause-at`` the job runs to its end.

The parent side (:func:`run_until_paused`) lives here too, so that both agree
on the command line and the ``PAUSED`` line.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

PAUSED = "PAUSED"
WAIT_S = 60.0  # longest wait for the child to reach its pause: a hung child fails the test
WORKER = Path(__file__).resolve()
ROOT = WORKER.parents[2]


# --- in the child ---------------------------------------------------------------------


def _say(line: str) -> None:
    """One line to the parent, at once."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def _pause_at(prefix: str, nth: int) -> None:
    """Sleep for good right after the ``nth`` statement starting with ``prefix``."""
    import sqlalchemy as sa
    from sqlalchemy import event

    wanted = " ".join(prefix.split()).upper()
    seen = 0

    def after_execute(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        nonlocal seen
        if not " ".join(statement.split()).upper().startswith(wanted):
            return
        seen += 1
        if seen == nth:
            _say(PAUSED)
            time.sleep(WAIT_S * 2)
            os._exit(3)  # never killed: the parent has already failed

    event.listen(sa.engine.Engine, "after_cursor_execute", after_execute)


def _billing(url: str, month: str, batch_size: int, today: str) -> int:
    import sqlalchemy as sa

    from desktop.db.engine import Database
    from desktop.services.billing_run import month_of, run_billing

    db = Database(sa.make_url(url))
    try:
        report = run_billing(
            db,
            month_of(month),
            actor="crash",
            today=date.fromisoformat(today),
            batch_size=batch_size,
            progress=lambda done, total: _say(f"{done}/{total}"),
        )
    finally:
        db.dispose()
    _say(f"created {report.invoices_created}")
    return 0


def _cli(argv: Sequence[str]) -> int:
    from desktop.cli import main

    return main(list(argv))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pause-at", metavar="SQL")
    parser.add_argument("--nth", type=int, default=1)
    jobs = parser.add_subparsers(dest="job", required=True)
    billing = jobs.add_parser("billing")
    billing.add_argument("url")
    billing.add_argument("month")
    billing.add_argument("--batch-size", type=int, required=True)
    billing.add_argument("--today", required=True)
    jobs.add_parser("cli", help="the rest of the command line goes to desktop.cli.main")
    return parser


def child_main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if args.job != "cli" and rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    if args.pause_at:
        _pause_at(args.pause_at, args.nth)
    if args.job == "billing":
        return _billing(args.url, args.month, args.batch_size, args.today)
    return _cli(rest)


# --- in the parent --------------------------------------------------------------------


def run_until_paused(pause_at: str, nth: int, job: Sequence[str]) -> str:
    """Start the child on ``job``, kill it (SIGKILL) once it pauses; what it printed before.

    Fails when the child ends, or does not pause within ``WAIT_S``."""
    command = [sys.executable, str(WORKER), "--pause-at", pause_at, "--nth", str(nth), *job]
    with tempfile.TemporaryFile("w+") as errors:  # a file: the child never blocks on it
        child = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        watchdog = threading.Timer(WAIT_S, child.kill)
        watchdog.start()
        try:
            printed, paused = _read_until_paused(child)
        finally:
            watchdog.cancel()
            child.kill()  # at the pause, or whatever it does after WAIT_S
            child.wait()
            assert child.stdout is not None
            child.stdout.close()
        errors.seek(0)
        if not paused:
            raise AssertionError(
                f"the worker never reached its pause (exit code {child.returncode}):\n"
                f"{errors.read()}"
            )
    if os.name == "posix":
        assert child.returncode == -signal.SIGKILL
    return "".join(printed)


def _read_until_paused(child: subprocess.Popen[str]) -> tuple[list[str], bool]:
    """The lines the child printed before ``PAUSED``, and whether it came."""
    assert child.stdout is not None
    printed: list[str] = []
    for line in child.stdout:
        if line.strip() == PAUSED:
            return printed, True
        printed.append(line)
    return printed, False


if __name__ == "__main__":
    sys.exit(child_main())
