"""A table over a whole list service, however long: rows fetched by page when painted.

The model knows the current query (search, filters, sort) and keeps a few
pages of rows; a row that is not cached asks for its page on the database
worker and shows empty until the page arrives. A new query keeps the old
rows on screen until its first page is there, then the count follows: the
first rows appear as soon as SQL finds them, the total when it is counted.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor

from desktop.services.listing import ListQuery, Page
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import (
    french_date,
    french_datetime,
    french_int,
    label,
    money,
    status_colour,
    support_left_colour,
    support_left_text,
)

PAGE_SIZE = 100
MAX_CACHED_PAGES = 30
"""At most 3 000 rows kept in memory, whatever the size of the list."""
COUNT_DELAY_MS = 250
"""Pause after a first page before counting its rows (typing goes on meanwhile)."""
MAX_WAITING_PAGES = 6
"""Pages asked for before the newest few are skipped: the view scrolled past them."""

ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_KEY_ROLE = Qt.ItemDataRole.UserRole + 3

_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        ROW_ID_ROLE,
        ROW_ROLE,
    }
)
"""The roles the model answers; a view asks for a dozen more on every cell it paints."""

Index = QModelIndex | QPersistentModelIndex
Fetch = Callable[[ListQuery], Page[Any]]


class CellKind(Enum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    STATUS = "status"
    BOOL = "bool"
    SUPPORT_LEFT = "support_left"  # (support time left, deadline passed)


_FORMATS: dict[CellKind, Callable[[Any], str]] = {
    CellKind.TEXT: label,
    CellKind.INT: lambda value: french_int(value),
    CellKind.MONEY: money,
    CellKind.DATE: french_date,
    CellKind.DATETIME: french_datetime,
    CellKind.STATUS: label,
    CellKind.BOOL: lambda value: "Oui" if value else "Non",
    CellKind.SUPPORT_LEFT: lambda state: support_left_text(*state),
}

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class ListColumn:
    """One column: its title, where its value comes from, how it sorts and reads."""

    title: str
    field: str
    sort: str | None = None
    kind: CellKind = CellKind.TEXT
    width: int = 140

    def value(self, row: object) -> Any:
        return getattr(row, self.field)

    def text(self, row: object) -> str:
        value = self.value(row)
        return "" if value is None else _FORMATS[self.kind](value)

    def colour(self, row: object) -> QColor | None:
        """Statuses and deadlines read in colour."""
        value = self.value(row)
        if self.kind is CellKind.STATUS:
            return status_colour(value)
        if self.kind is CellKind.SUPPORT_LEFT and value is not None:
            return QColor(support_left_colour(*value))
        return None

    @property
    def alignment(self) -> Qt.AlignmentFlag:
        return _RIGHT if self.kind in (CellKind.INT, CellKind.MONEY) else _LEFT


def _paged(query: ListQuery) -> ListQuery:
    """The query of the first page: its count is asked for separately."""
    return dataclasses.replace(query, offset=0, limit=PAGE_SIZE, count=False)


class PagedTableModel(QAbstractTableModel):
    """Rows of ``fetch`` (a list service bound to its database), page by page."""

    first_page_shown = Signal()
    total_changed = Signal(object)  # the count, or None while it is being counted
    failed = Signal(object)

    def __init__(
        self,
        columns: Sequence[ListColumn],
        fetch: Fetch,
        worker: DbWorker,
        *,
        query: ListQuery | None = None,
    ) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self._fetch = fetch
        self._worker = worker
        self._query = _paged(query or ListQuery())
        self._generation = 0
        self._pages: OrderedDict[int, tuple[Any, ...]] = OrderedDict()
        self._requested: set[int] = set()
        self._requests = 0
        self._row_count = 0
        self.total: int | None = None

    # --- the query ----------------------------------------------------------------------

    @property
    def query(self) -> ListQuery:
        return self._query

    def set_query(self, query: ListQuery) -> None:
        """Show the rows of ``query`` (offset and limit are the model's business)."""
        self._query = _paged(query)
        self.reload()

    def set_search(self, text: str) -> None:
        if text != self._query.search:
            self.set_query(dataclasses.replace(self._query, search=text))

    def set_filters(self, filters: Mapping[str, object]) -> None:
        self.set_query(dataclasses.replace(self._query, filters=dict(filters)))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.columns[column].sort if 0 <= column < len(self.columns) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._query.sort, self._query.descending):
            self.set_query(dataclasses.replace(self._query, sort=key, descending=descending))

    def sort_column(self) -> int:
        """The column of the current sort key, -1 if none shows it."""
        for index, column in enumerate(self.columns):
            if column.sort is not None and column.sort == self._query.sort:
                return index
        return -1

    def reload(self) -> None:
        """Fetch the first page again; the rows shown stay until it arrives."""
        self._generation += 1
        generation = self._generation
        query = self._query
        self._submit(
            lambda: self._fetch(query),
            lambda page: self._show_first_page(generation, page),
            generation,
        )

    def cancel(self) -> None:
        """Drop every result still to come (the view showing the model is closing)."""
        self._generation += 1

    # --- Qt model -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.columns[section].alignment
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.alignment
        if role == Qt.ItemDataRole.ForegroundRole:
            return column.colour(row)
        if role == ROW_ID_ROLE:
            return row.id
        return row

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- rows ---------------------------------------------------------------------------

    def row(self, position: int) -> Any | None:
        """The row at ``position`` if its page is here; else None, and the page is asked for."""
        if not 0 <= position < self._row_count:
            return None
        number, within = divmod(position, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            self._request(number)
            return None
        self._pages.move_to_end(number)
        return page[within] if within < len(page) else None

    def row_id(self, position: int) -> int | None:
        row = self.row(position)
        return None if row is None else int(row.id)

    def _request(self, number: int) -> None:
        if number in self._requested:
            return
        self._requested.add(number)
        self._requests += 1
        generation, sequence = self._generation, self._requests
        query = dataclasses.replace(self._query, offset=number * PAGE_SIZE)
        job = self._job(
            lambda: self._fetch(query),
            lambda page: self._store_page(generation, number, page),
            generation,
        )
        job.is_stale = lambda: (
            generation != self._generation or self._requests - sequence >= MAX_WAITING_PAGES
        )
        job.on_skipped = lambda: self._forget_request(generation, number)
        self._worker.submit(job)

    def _submit(
        self, work: Callable[[], Any], on_done: Callable[[Any], None], generation: int
    ) -> None:
        self._worker.submit(self._job(work, on_done, generation))

    def _job(self, work: Callable[[], Any], on_done: Callable[[Any], None], generation: int) -> Job:
        return Job(
            work=work,
            on_done=on_done,
            on_error=lambda error: self._fail(generation, error),
            is_stale=lambda: generation != self._generation,
        )

    def _show_first_page(self, generation: int, page: Page[Any]) -> None:
        if generation != self._generation:
            return
        complete = len(page.rows) < PAGE_SIZE
        self.beginResetModel()
        self._pages.clear()
        self._requested.clear()
        self._pages[0] = page.rows
        self._row_count = len(page.rows)
        self.total = len(page.rows) if complete else None
        self.endResetModel()
        self.first_page_shown.emit()
        self.total_changed.emit(self.total)
        if not complete:
            # Counting a search scans the table: wait until the user stops typing,
            # so that the next letter's first page is not queued behind it.
            QTimer.singleShot(COUNT_DELAY_MS, self, lambda: self._count(generation))

    def _count(self, generation: int) -> None:
        if generation != self._generation:
            return
        query = dataclasses.replace(self._query, limit=0, count=True)
        self._submit(
            lambda: self._fetch(query),
            lambda page: self._show_total(generation, page.total),
            generation,
        )

    def _show_total(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        if total > self._row_count:
            self.beginInsertRows(QModelIndex(), self._row_count, total - 1)
            self._row_count = total
            self.endInsertRows()
        elif total < self._row_count:
            # Rows went away between the page and the count: start again.
            self.reload()
            return
        self.total = total
        self.total_changed.emit(total)

    def _store_page(self, generation: int, number: int, page: Page[Any]) -> None:
        if generation != self._generation:
            return
        self._requested.discard(number)
        self._pages[number] = page.rows
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        self._changed(number)

    def _changed(self, number: int) -> None:
        first = number * PAGE_SIZE
        last = min(first + PAGE_SIZE, self._row_count) - 1
        if last >= first:
            top_left, bottom_right = self.index(first, 0), self.index(last, len(self.columns) - 1)
            self.dataChanged.emit(top_left, bottom_right, [])

    def _forget_request(self, generation: int, number: int) -> None:
        """A skipped page: asked for again if the view still shows it."""
        if generation == self._generation:
            self._requested.discard(number)
            self._changed(number)

    def _fail(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            self.failed.emit(error)
