"""A billing run killed (SIGKILL) in the middle of a batch, on SQLite.

The child bills the demo's next month (30 clients) in batches of 3 and is
killed inside the third batch's transaction: once its lines are written, or
once its invoices are numbered, just before the commit. The file must then be
sound, hold the two committed batches whole (lines, numbers without gap,
chain intact) and nothing of the third; running the month again must make
exactly what one uninterrupted run makes on a copy: same clients, numbers,
totals and lines.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop.db.engine import Database, sqlite_path, sqlite_url
from desktop.services.billing_run import run_billing
from tests.conftest import DEMO_TODAY
from tests.crash.crash_checks import billed_month, invoicing_problems, sqlite_problems
from tests.crash.crash_worker import run_until_paused

MONTH = date(2026, 12, 1)
BATCH = 3
KILLED_IN_BATCH = 3


def _bill(db: Database) -> int:
    report = run_billing(db, MONTH, actor="crash", today=DEMO_TODAY, batch_size=BATCH)
    assert not report.cancelled
    return report.invoices_created


@pytest.fixture
def uninterrupted(tmp_path: Path, demo_template: Path) -> Iterator[Database]:
    """A copy of the demo with the month billed in one go."""
    path = tmp_path / "reference.sqlite3"
    shutil.copyfile(demo_template, path)
    db = Database(sqlite_url(path))
    _bill(db)
    yield db
    db.dispose()


@pytest.mark.parametrize(
    "pause_at", ["INSERT INTO invoice_line", "UPDATE invoice SET number"], ids=["lines", "numbers"]
)
def test_killed_run_leaves_whole_batches_and_a_rerun_completes_it(
    demo_db: Database, uninterrupted: Database, pause_at: str
) -> None:
    path = sqlite_path(demo_db.url)
    assert path is not None
    url = demo_db.url.render_as_string(hide_password=False)
    job = ["billing", url, "2026-12", "--batch-size", str(BATCH), "--today", str(DEMO_TODAY)]
    printed = run_until_paused(pause_at, KILLED_IN_BATCH, job)
    assert printed.split() == ["0/30", "3/30", "6/30"]  # two batches committed, then the kill

    assert sqlite_problems(path) == []
    assert invoicing_problems(demo_db) == []
    expected = billed_month(uninterrupted, MONTH)
    assert len(expected) == 30
    assert billed_month(demo_db, MONTH) == expected[: BATCH * (KILLED_IN_BATCH - 1)]

    assert _bill(demo_db) == 30 - BATCH * (KILLED_IN_BATCH - 1)
    assert billed_month(demo_db, MONTH) == expected
    assert invoicing_problems(demo_db) == []
    assert _bill(demo_db) == 0  # the month is complete: nothing doubled
    assert billed_month(demo_db, MONTH) == expected
