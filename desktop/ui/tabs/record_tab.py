"""One tab of the window: the list on the left, the open record on the right."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from desktop.db.engine import Database
from desktop.ui.db_worker import DbWorker
from desktop.ui.role_gate import RoleGate
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.tabs.specs import ListSpecUI
from desktop.ui.views.records import RecordView

PLACEHOLDER = "Double-cliquez sur une ligne (ou Entrée) pour ouvrir sa fiche ici."
RECORD_SHARE = 0.4
"""At most this share of the tab is taken back from the list for an open record."""


class RecordTab(QWidget):
    def __init__(
        self, spec: ListSpecUI, db: Database, worker: DbWorker, gate: RoleGate | None = None
    ) -> None:
        super().__init__()
        self.spec = spec
        self.panel = ListPanel(spec, db, worker, gate=gate)
        self.view: RecordView | None = None
        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")
        self.record_area = QWidget()
        self._record_layout = QVBoxLayout(self.record_area)
        self._record_layout.setContentsMargins(0, 0, 0, 0)
        self._record_layout.addWidget(self.placeholder)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.panel)
        self.splitter.addWidget(self.record_area)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.splitter)

    def show_record(self, view: RecordView) -> None:
        self.close_record()
        self.placeholder.hide()
        self.view = view
        self._record_layout.addWidget(view)
        self._make_room(view)

    def _make_room(self, view: RecordView) -> None:
        """Widen a record pane too narrow for the record (a wide list took the room)."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        wanted = min(view.sizeHint().width(), int(total * RECORD_SHARE))
        if total > 0 and sizes[1] < wanted:
            self.splitter.setSizes([total - wanted, wanted])

    def close_record(self) -> bool:
        """Close the open record; False if there was none."""
        if self.view is None:
            return False
        self.view.retire()
        self.view.deleteLater()
        self._record_layout.removeWidget(self.view)
        self.view = None
        self.placeholder.show()
        return True

    def refresh(self) -> None:
        self.panel.refresh()
        if self.view is not None:
            self.view.refresh()

    def save_state(self) -> tuple[QByteArray, QByteArray]:
        return self.splitter.saveState(), self.panel.header_state()

    def restore_state(self, splitter: QByteArray | None, header: QByteArray | None) -> None:
        if splitter is not None and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        if header is not None:
            self.panel.restore_header(header)
