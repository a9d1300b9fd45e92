"""The paged table model: whole lists shown page by page, never loaded at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from desktop.db.engine import Database
from desktop.domain.enums import MailboxStatus
from desktop.services.listing import ListQuery, Page
from desktop.ui.db_worker import DbWorker
from desktop.ui.models.paged_model import (
    MAX_CACHED_PAGES,
    PAGE_SIZE,
    ROW_ID_ROLE,
    CellKind,
    ListColumn,
    PagedTableModel,
)
from desktop.ui.tabs.specs import CONTRACTS, MAILBOXES, MAIN_TABS, ListSpecUI

WAIT = 10_000


@dataclass(frozen=True)
class FakeRow:
    id: int
    name: str
    amount: Decimal
    status: MailboxStatus


class FakeList:
    """A list service over ``size`` synthetic rows that records what it was asked."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.queries: list[ListQuery] = []

    def __call__(self, query: ListQuery) -> Page[FakeRow]:
        self.queries.append(query)
        ids = [i for i in range(1, self.size + 1) if query.search in f"row {i}"]
        if query.descending:
            ids.reverse()
        chosen = ids[query.offset : query.offset + query.limit]
        rows = tuple(FakeRow(i, f"row {i}", Decimal(i) / 100, MailboxStatus.ACTIVE) for i in chosen)
        return Page(rows=rows, total=len(ids) if query.count else None, offset=query.offset)


COLUMNS = (
    ListColumn("Nom", "name", "name"),
    ListColumn("Montant", "amount", "amount", CellKind.MONEY),
    ListColumn("État", "status", None, CellKind.STATUS),
)


@pytest.fixture
def worker() -> Iterator[DbWorker]:
    worker = DbWorker()
    yield worker
    worker.stop()


def shown(qtbot: QtBot, model: PagedTableModel) -> None:
    with qtbot.waitSignal(model.first_page_shown, timeout=WAIT):
        model.reload()


def counted(qtbot: QtBot, model: PagedTableModel, action: object) -> int:
    with qtbot.waitSignal(model.total_changed, timeout=WAIT, check_params_cb=_is_int) as blocker:
        action()  # type: ignore[operator]
    return int(blocker.args[0])


def _is_int(value: object) -> bool:
    return isinstance(value, int)


def test_a_long_list_shows_its_first_page_then_its_count(qtbot: QtBot, worker: DbWorker) -> None:
    fetch = FakeList(250_000)
    model = PagedTableModel(COLUMNS, fetch, worker, query=ListQuery(sort="name"))
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    total = counted(qtbot, model, model.reload)
    assert total == 250_000
    assert model.rowCount() == 250_000
    assert model.data(model.index(0, 0)) == "row 1"
    assert model.data(model.index(0, 1)) == "0,01\u00a0€"
    assert model.data(model.index(0, 2)) == "Active"
    assert model.data(model.index(0, 2), Qt.ItemDataRole.ForegroundRole).name() == "#1b7f3b"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) & (
        Qt.AlignmentFlag.AlignRight
    )
    # The first page came without a count, the count alone (limit 0) after it.
    assert [(q.offset, q.limit, q.count) for q in fetch.queries] == [(0, 100, False), (0, 0, True)]


def test_a_far_row_fetches_its_page_only(qtbot: QtBot, worker: DbWorker) -> None:
    fetch = FakeList(250_000)
    model = PagedTableModel(COLUMNS, fetch, worker)
    counted(qtbot, model, model.reload)
    last = model.index(249_999, 0)
    assert model.data(last) is None  # not here yet: asked for
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT):
        pass
    assert model.data(last) == "row 250000"
    assert model.data(last, ROW_ID_ROLE) == 250_000
    assert fetch.queries[-1].offset == 249_900
    assert not fetch.queries[-1].count


def test_the_cache_keeps_a_bounded_number_of_pages(qtbot: QtBot, worker: DbWorker) -> None:
    fetch = FakeList(1_000_000)
    model = PagedTableModel(COLUMNS, fetch, worker)
    counted(qtbot, model, model.reload)
    for page in range(1, 3 * MAX_CACHED_PAGES):
        with qtbot.waitSignal(model.dataChanged, timeout=WAIT):
            assert model.row(page * 3 * PAGE_SIZE) is None
    assert len(model._pages) == MAX_CACHED_PAGES
    assert model.row(3 * PAGE_SIZE) is None  # evicted long ago


def test_a_new_search_replaces_the_rows_and_the_count(qtbot: QtBot, worker: DbWorker) -> None:
    fetch = FakeList(1000)
    model = PagedTableModel(COLUMNS, fetch, worker)
    counted(qtbot, model, model.reload)
    with qtbot.waitSignal(model.first_page_shown, timeout=WAIT):
        model.set_search("row 99")
    # 11 rows: 99 and 990…999, all on the first page: counted without a COUNT.
    assert model.rowCount() == 11
    assert model.total == 11
    assert fetch.queries[-1].search == "row 99"


def test_stale_queries_are_skipped(qtbot: QtBot, worker: DbWorker) -> None:
    fetch = FakeList(1000)
    model = PagedTableModel(COLUMNS, fetch, worker)
    with qtbot.waitSignal(model.first_page_shown, timeout=WAIT):
        for text in ("r", "ro", "row", "row ", "row 5"):
            model.set_search(text)
    qtbot.waitUntil(lambda: model.total is not None, timeout=WAIT)
    assert model.query.search == "row 5"
    assert model.data(model.index(0, 0)) == "row 5"
    assert model.rowCount() == 111
    # Only the last search was counted: the others were stale when their turn came.
    assert [q.search for q in fetch.queries if q.count] == ["row 5"]


def test_sorting_by_a_header_asks_the_service(qtbot: QtBot, worker: DbWorker) -> None:
    fetch = FakeList(300)
    model = PagedTableModel(COLUMNS, fetch, worker, query=ListQuery(sort="name"))
    counted(qtbot, model, model.reload)
    with qtbot.waitSignal(model.first_page_shown, timeout=WAIT):
        model.sort(1, Qt.SortOrder.DescendingOrder)
    assert (model.query.sort, model.query.descending) == ("amount", True)
    assert model.data(model.index(0, 0)) == "row 300"
    calls = len(fetch.queries)
    model.sort(2, Qt.SortOrder.AscendingOrder)  # no sort key: nothing asked
    assert len(fetch.queries) == calls
    assert model.sort_column() == 1


def test_an_error_is_reported_not_raised(qtbot: QtBot, worker: DbWorker) -> None:
    def broken(_query: ListQuery) -> Page[FakeRow]:
        raise RuntimeError("connexion perdue")

    model = PagedTableModel(COLUMNS, broken, worker)
    with qtbot.waitSignal(model.failed, timeout=WAIT) as blocker:
        model.reload()
    assert str(blocker.args[0]) == "connexion perdue"
    assert model.rowCount() == 0


@pytest.mark.parametrize("spec", [*MAIN_TABS, CONTRACTS], ids=lambda s: s.kind.value)
def test_every_list_model_passes_the_model_tester(
    qtbot: QtBot, worker: DbWorker, demo_db: Database, spec: ListSpecUI
) -> None:
    model = PagedTableModel(spec.columns, lambda q: spec.fetch(demo_db, q), worker)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_query(spec.query())
    qtbot.waitUntil(lambda: model.total is not None, timeout=WAIT)
    total = spec.fetch(demo_db, ListQuery(limit=0)).total
    assert model.rowCount() == total
    for column in range(model.columnCount()):
        assert model.headerData(column, Qt.Orientation.Horizontal) == spec.columns[column].title
        if model.rowCount():
            assert isinstance(model.data(model.index(0, column)), str)
    for column, spec_column in enumerate(spec.columns):
        if spec_column.sort is not None:
            with qtbot.waitSignal(model.first_page_shown, timeout=WAIT):
                model.sort(column, Qt.SortOrder.DescendingOrder)


def test_mailboxes_of_the_demo_sorted_and_filtered(
    qtbot: QtBot, worker: DbWorker, demo_db: Database
) -> None:
    spec = MAILBOXES
    model = PagedTableModel(spec.columns, lambda q: spec.fetch(demo_db, q), worker)
    query = dataclasses.replace(spec.query(), filters={"status": "suspended"})
    with qtbot.waitSignal(model.first_page_shown, timeout=WAIT):
        model.set_query(query)
    expected = spec.fetch(demo_db, dataclasses.replace(query, limit=1000)).rows
    assert model.rowCount() == len(expected) > 0
    shown_addresses = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert shown_addresses == [row.display_address for row in expected]
    assert {model.data(model.index(r, 3)) for r in range(model.rowCount())} == {"Suspendue"}
    assert not model.index(0, 0, model.index(0, 0)).isValid()
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags
