"""A list over the whole database: search as you type, filters, sortable headers, counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.db.engine import Database
from desktop.services.listing import MAX_LIMIT, ListQuery
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import french_int
from desktop.ui.models.paged_model import PagedTableModel
from desktop.ui.role_gate import RoleGate
from desktop.ui.tabs.specs import ListSpecUI, RecordKind

ROW_HEIGHT = 24

MenuHook = Callable[[QMenu], None]
"""Adds entries to a list's context menu (actions on the selection)."""


class RecordTable(QTableView):
    """A table whose Enter opens the current row."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class ListPanel(QWidget):
    """The search box, filters, count and table of one list."""

    open_requested = Signal(object, int)  # RecordKind, id
    edit_requested = Signal(object, int)
    new_requested = Signal(object)
    client_filter_requested = Signal(object, int, str)  # RecordKind, client id, name
    count_changed = Signal(str)
    failed = Signal(object)

    def __init__(
        self,
        spec: ListSpecUI,
        db: Database,
        worker: DbWorker,
        *,
        fixed: Mapping[str, object] | None = None,
        compact: bool = False,
        gate: RoleGate | None = None,
    ) -> None:
        super().__init__()
        self.spec = spec
        self.gate = gate or RoleGate()
        """What the logged-in role may do: « Nouveau… » and « Modifier… » follow it."""
        self._db = db
        self._worker = worker
        self._fixed = dict(fixed or {})
        self.menu_hooks: list[MenuHook] = []
        self._client_filter: int | None = None
        self._filters: dict[str, object] = {}
        self._extra: set[str] = set()
        """Filters set by :meth:`apply_filters` that no drop-down shows (on a chip)."""
        query = spec.query()
        self.model = PagedTableModel(
            spec.columns, lambda q: spec.fetch(db, q), worker, query=self._with_filters(query)
        )
        self.model.total_changed.connect(self._show_count)
        self.model.first_page_shown.connect(self._restore_sort_indicator)
        self.model.failed.connect(self.failed)
        self._totals_asked = 0
        if spec.totals is not None:
            self.model.first_page_shown.connect(self._ask_totals)
        self._build(compact)
        self.model.reload()

    # --- building -----------------------------------------------------------------------

    def _build(self, compact: bool) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.spec.search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(f"Rechercher ({self.spec.plural})")
        self.search.textChanged.connect(self.model.set_search)
        bar.addWidget(self.search, 1)
        self.filter_boxes: dict[str, QComboBox] = {}
        for spec in self.spec.filters:
            box = QComboBox()
            box.setAccessibleName(spec.caption)
            box.addItem(f"{spec.caption} : tous", None)
            for text, value in spec.choices:
                box.addItem(text, value)
            box.currentIndexChanged.connect(lambda _i, name=spec.name: self._filter_changed(name))
            self.filter_boxes[spec.name] = box
            bar.addWidget(box)
        self.client_chip = QToolButton()
        self.client_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.client_chip.setToolTip("Retirer le filtre sur le client")
        self.client_chip.clicked.connect(lambda: self.filter_client(None))
        self.client_chip.hide()
        bar.addWidget(self.client_chip)
        self.extra_chip = QToolButton()
        self.extra_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.extra_chip.setToolTip("Retirer ce filtre")
        self.extra_chip.clicked.connect(self._clear_extra)
        self.extra_chip.hide()
        bar.addWidget(self.extra_chip)
        self.count_label = QLabel("Chargement…")
        self.count_label.setMinimumWidth(140)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.count_label)
        if compact:
            self.search.setPlaceholderText("Rechercher…")
        self.search.setMinimumWidth(180)
        layout.addLayout(bar)
        self.table = self._table()
        layout.addWidget(self.table, 1)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("listTotals")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setVisible(self.spec.totals is not None)
        layout.addWidget(self.totals_label)

    def _table(self) -> RecordTable:
        table = RecordTable()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if self.spec.multi_select
            else QAbstractItemView.SelectionMode.SingleSelection
        )
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        for index, column in enumerate(self.spec.columns):
            table.setColumnWidth(index, column.width)
        # The indicator first: enabling sorting sorts by it at once.
        self._set_sort_indicator(header)
        table.setSortingEnabled(True)
        table.doubleClicked.connect(lambda index: self._open(index.row()))
        table.activated_row.connect(self._open)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        return table

    # --- query --------------------------------------------------------------------------

    def _with_filters(self, query: ListQuery) -> ListQuery:
        filters: dict[str, object] = dict(self._filters)
        if self._client_filter is not None:
            filters["client_id"] = self._client_filter
        filters.update(self._fixed)
        return ListQuery(
            search=query.search, filters=filters, sort=query.sort, descending=query.descending
        )

    def _filter_changed(self, name: str) -> None:
        if name in self._extra:  # chosen by hand now: no longer the chip's
            self._extra.discard(name)
            self.extra_chip.setVisible(bool(self._extra))
        value = self.filter_boxes[name].currentData()
        if value is None:
            self._filters.pop(name, None)
        else:
            self._filters[name] = value
        self.model.set_query(self._with_filters(self.model.query))

    def set_filter(self, name: str, value: object) -> None:
        """Choose a filter's value as the user would (None: all)."""
        box = self.filter_boxes[name]
        box.setCurrentIndex(max(0, box.findData(value)))

    def apply_filters(
        self, filters: Mapping[str, object], search: str = "", *, caption: str = ""
    ) -> None:
        """Show only the rows matching ``filters`` and ``search``, in place of the filters
        chosen so far (the client one too). A value its drop-down offers is chosen in it;
        any other filter (a plan id, several statuses…) shows on a removable chip
        reading ``caption``."""
        self._client_filter = None
        self.client_chip.hide()
        self._filters = dict(filters)
        self._extra = {name for name, value in filters.items() if self._choice(name, value) < 1}
        for name, box in self.filter_boxes.items():
            box.blockSignals(True)
            box.setCurrentIndex(max(0, self._choice(name, filters.get(name))))
            box.blockSignals(False)
        self.extra_chip.setVisible(bool(self._extra))
        self.extra_chip.setText(f"{caption or 'Filtre'}  ✕")
        self.search.blockSignals(True)
        self.search.setText(search)
        self.search.blockSignals(False)
        query = dataclasses.replace(self.model.query, search=search)
        self.model.set_query(self._with_filters(query))

    def _choice(self, name: str, value: object) -> int:
        """The position of ``value`` in the drop-down ``name``; -1 if it offers none."""
        box = self.filter_boxes.get(name)
        if box is None or not isinstance(value, str | int | None):
            return -1
        return box.findData(value)

    def _clear_extra(self) -> None:
        for name in self._extra:
            self._filters.pop(name, None)
        self._extra = set()
        self.extra_chip.hide()
        self.model.set_query(self._with_filters(self.model.query))

    def filter_client(self, client: tuple[int, str] | None) -> None:
        """Show only one client's rows (a removable chip says which), or all again."""
        if not self.spec.by_client or "client_id" in self._fixed:
            return
        self._client_filter = None if client is None else client[0]
        self.client_chip.setVisible(client is not None)
        if client is not None:
            self.client_chip.setText(f"Client : {client[1]}  ✕")
        self.model.set_query(self._with_filters(self.model.query))

    def refresh(self) -> None:
        self.model.reload()

    # --- showing ------------------------------------------------------------------------

    def _show_count(self, total: int | None) -> None:
        if total is None:
            text = f"{french_int(self.model.rowCount())}+ {self.spec.plural}… (comptage)"
        else:
            noun = self.spec.singular if total <= 1 else self.spec.plural
            text = f"{french_int(total)} {noun}"
        self.count_label.setText(text)
        self.count_changed.emit(text)

    def _ask_totals(self) -> None:
        """Sum, on the worker, every row the list's query matches (the spec's totals line)."""
        totals, query = self.spec.totals, self.model.query
        assert totals is not None
        self._totals_asked += 1
        asked = self._totals_asked
        self._worker.submit(
            Job(
                work=lambda: totals(self._db, query),
                on_done=lambda text: self._show_totals(asked, text),
                on_error=self.failed.emit,
                is_stale=lambda: asked != self._totals_asked,
            )
        )

    def _show_totals(self, asked: int, text: str) -> None:
        """Show the sums asked last, unless the panel was closed meanwhile."""
        if asked == self._totals_asked and isValid(self.totals_label):
            self.totals_label.setText(text)

    def _restore_sort_indicator(self) -> None:
        self._set_sort_indicator(self.table.horizontalHeader())

    def _set_sort_indicator(self, header: QHeaderView) -> None:
        column = self.model.sort_column()
        order = (
            Qt.SortOrder.DescendingOrder
            if self.model.query.descending
            else Qt.SortOrder.AscendingOrder
        )
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    def current_row(self) -> Any | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def selected_ranges(self) -> list[tuple[int, int]]:
        """The selected rows as (first, last) positions, in order, merged."""
        spans = sorted(
            (span.top(), span.bottom()) for span in self.table.selectionModel().selection()
        )
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(bottom, merged[-1][1]))
            else:
                merged.append((top, bottom))
        return merged

    def load_selection(
        self, done: Callable[[list[Any]], None], failed: Callable[[Exception], None]
    ) -> None:
        """The selected rows, in list order: those on screen at once, the others
        (scrolled past, never loaded) read again from the list's query on the worker."""
        positions = [p for top, bottom in self.selected_ranges() for p in range(top, bottom + 1)]
        cached = [self.model.row(position) for position in positions]
        if all(row is not None for row in cached):
            done(cached)
            return
        query, ranges = self.model.query, self.selected_ranges()

        def fetch() -> list[Any]:
            rows: list[Any] = []
            for top, bottom in ranges:
                for offset in range(top, bottom + 1, MAX_LIMIT):
                    limit = min(MAX_LIMIT, bottom + 1 - offset)
                    page = dataclasses.replace(query, offset=offset, limit=limit, count=False)
                    rows.extend(self.spec.fetch(self._db, page).rows)
            return rows

        self._worker.submit(Job(work=fetch, on_done=done, on_error=failed))

    def _open(self, position: int) -> None:
        row_id = self.model.row_id(position)
        if row_id is not None:
            self.open_requested.emit(self.spec.kind, row_id)

    # --- context menu -------------------------------------------------------------------

    def _context_menu(self, point: QPoint) -> None:
        menu = self.context_menu(self.table.indexAt(point))
        menu.exec(self.table.viewport().mapToGlobal(point))

    def context_menu(self, index: QModelIndex) -> QMenu:
        """The right-click menu on ``index`` (an invalid index: on no row)."""
        row = self.model.row(index.row()) if index.isValid() else None
        menu = QMenu(self)
        kind = self.spec.kind
        writable = self.gate.may_write(kind)
        if row is not None:
            self._add(menu, "Ouvrir la fiche", lambda: self._open(index.row()), "Return")
            if kind in EDITABLE:
                edit = self._add(menu, "Modifier…", lambda: self.edit_requested.emit(kind, row.id))
                edit.setEnabled(writable)
            if kind is not RecordKind.CLIENT and hasattr(row, "client_id"):
                self._add_client_actions(menu, row.client_id, row.client_name)
            self._add(menu, "Copier la cellule", lambda: self._copy(index))
            menu.addSeparator()
        for hook in self.menu_hooks:
            hook(menu)
        if kind in EDITABLE:
            new = self._add(menu, "Nouveau…", lambda: self.new_requested.emit(kind))
            new.setEnabled(writable)
        self._add(menu, "Actualiser", self.refresh, "F5")
        return menu

    def _add_client_actions(self, menu: QMenu, client_id: int, client_name: str) -> None:
        self._add(
            menu,
            f"Voir la fiche du client {client_name}",
            lambda: self.open_requested.emit(RecordKind.CLIENT, client_id),
        )
        if "client_id" not in self._fixed:
            self._add(
                menu,
                "N'afficher que ce client",
                lambda: self.filter_client((client_id, client_name)),
            )

    def _add(self, menu: QMenu, text: str, slot: Any, shortcut: str = "") -> QAction:
        action = menu.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _copy(self, index: QModelIndex) -> None:
        QGuiApplication.clipboard().setText(str(self.model.data(index) or ""))

    # --- remembered layout ----------------------------------------------------------------

    def header_state(self) -> QByteArray:
        return self.table.horizontalHeader().saveState()

    def restore_header(self, state: QByteArray) -> None:
        header = self.table.horizontalHeader()
        if state.isEmpty() or not header.restoreState(state):
            return
        self._restore_sort_indicator()


EDITABLE = frozenset(
    {
        RecordKind.CLIENT,
        RecordKind.DOMAIN,
        RecordKind.MAILBOX,
        RecordKind.CONTRACT,
        RecordKind.INCIDENT,
        RecordKind.QUOTE,
    }
)
