"""The frame of every record view ("fiche"): heading, buttons, fields, sub-lists.

A view loads its record on the database worker and shows it; every related
record is a link (``kind:id``) that the window follows, with history. Its
buttons act on the record (through dialogs that run on the worker too); once a
change is written the view says so under its buttons and emits ``changed``, on
which the window refreshes its lists and the view itself.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import GREEN, label, status_colour
from desktop.ui.role_gate import WRITE_PERMISSION, Needs, RoleGate
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.tabs.specs import ListSpecUI, RecordKind
from desktop.ui.widgets.flow_layout import FlowLayout

Field = tuple[str, str]
"""(caption, rich text) of one line of a record."""

NOTICE_MS = 15_000
DEFAULT_ACTOR = "poste"


def link(kind: RecordKind, record_id: int, text: str) -> str:
    return f'<a href="{kind.value}:{record_id}">{html.escape(text)}</a>'


def text(value: object) -> str:
    return html.escape(label(value)) if value not in (None, "") else "—"


def status_html(value: object) -> str:
    colour = status_colour(value)
    shown = html.escape(label(value))
    return shown if colour is None else f'<span style="color:{colour.name()}">● {shown}</span>'


class RecordView(QWidget):
    """The frame shared by every record: heading, buttons, fields, sub-lists."""

    navigate = Signal(object, int)  # RecordKind, id
    edit_requested = Signal(object, int)
    new_requested = Signal(object, object)  # RecordKind, client id (or None)
    changed = Signal()
    """Something was written from this view (which shows it again): the window refreshes
    its lists."""
    failed = Signal(object)
    loaded = Signal(object)

    kind: RecordKind
    editable = False

    def __init__(
        self,
        db: Database,
        worker: DbWorker,
        record_id: int,
        *,
        actor: str = DEFAULT_ACTOR,
        gate: RoleGate | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.worker = worker
        self.record_id = record_id
        self.actor = actor
        self.gate = gate or RoleGate()
        """What the logged-in role may do: what it may not is greyed."""
        self.record: Any = None
        self.dialog: QDialog | None = None
        """The action dialog opened last (while it is open)."""
        self._alive = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        self.heading = QLabel("Chargement…")
        self.heading.setObjectName("recordHeading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.heading, 1)
        self.edit_button = QPushButton("Modifier…")
        self.edit_button.setVisible(self.editable)
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self._edit)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.action_bar = QWidget()
        self.action_layout = FlowLayout(self.action_bar)
        self.action_bar.hide()
        layout.addWidget(self.action_bar)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {GREEN};")
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self.notice.hide)
        layout.addWidget(self.notice)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(4)
        layout.addLayout(self.form)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.reload()

    def _edit(self) -> None:
        self.edit_requested.emit(self.kind, self.record_id)

    def retire(self) -> None:
        """Closed: results still on their way are dropped, its lists ask for nothing more."""
        self._alive = False
        for panel in self._panels():
            panel.model.cancel()

    @property
    def alive(self) -> bool:
        return self._alive

    def _panels(self) -> list[ListPanel]:
        pages = (self.tabs.widget(index) for index in range(self.tabs.count()))
        return [page for page in pages if isinstance(page, ListPanel)]

    def reload(self) -> None:
        self.worker.submit(
            Job(
                work=self.fetch,
                on_done=self._show,
                on_error=self._fail,
                is_stale=lambda: not self._alive,
            )
        )

    def _fail(self, error: Exception) -> None:
        if self._alive:
            self.failed.emit(error)

    def _show(self, record: Any) -> None:
        if not self._alive:
            return
        first = self.record is None
        self.record = record
        self.heading.setText(self.title(record))
        while self.form.rowCount():
            self.form.removeRow(0)
        for caption, value in self.fields(record):
            shown = QLabel(value)
            shown.setTextFormat(Qt.TextFormat.RichText)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextBrowserInteraction
                | Qt.TextInteractionFlag.TextSelectableByMouse
            )
            shown.linkActivated.connect(self._follow)
            self.form.addRow(f"{caption} :", shown)
        self.edit_button.setEnabled(self.editable)
        self.edit_button.setToolTip("")
        self.action_layout.clear()
        self.add_actions(record)
        if self.editable:
            self.gate.gate(self.edit_button, WRITE_PERMISSION.get(self.kind))
        self.action_bar.setVisible(self.action_layout.count() > 0)
        if first:
            self.add_lists(record)
        self.loaded.emit(record)

    def _follow(self, href: str) -> None:
        kind, _, record_id = href.partition(":")
        self.navigate.emit(RecordKind(kind), int(record_id))

    def add_list(self, spec: ListSpecUI, title: str, **fixed: object) -> ListPanel:
        panel = ListPanel(spec, self.db, self.worker, fixed=fixed, compact=True, gate=self.gate)
        panel.open_requested.connect(self.navigate)
        panel.edit_requested.connect(self.edit_requested)
        client_id = fixed.get("client_id")
        panel.new_requested.connect(lambda kind: self.new_requested.emit(kind, client_id))
        panel.failed.connect(self.failed)
        self.add_counted_tab(panel, title, panel.count_changed)
        return panel

    def add_counted_tab(self, page: QWidget, title: str, count_changed: Any) -> int:
        """A sub-tab whose title shows the count its ``count_changed`` signal gives."""
        index = self.tabs.addTab(page, title)
        count_changed.connect(
            lambda count: self.tabs.setTabText(index, f"{title} ({str(count).split(' ')[0]})")
        )
        return index

    def refresh(self) -> None:
        self.reload()
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            refresh = getattr(page, "refresh", None)
            if callable(refresh):
                refresh()

    # --- buttons and what they open -------------------------------------------------------

    def add_button(
        self,
        caption: str,
        slot: Callable[[], object],
        *,
        enabled: bool = True,
        tip: str = "",
        needs: Needs = None,
    ) -> QToolButton:
        """A button of the record's action bar (rebuilt each time the record is shown),
        greyed when the logged-in role lacks what it ``needs``."""
        button = QToolButton()
        button.setText(caption)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setEnabled(enabled)
        button.setToolTip(tip)
        self.gate.gate(button, needs)
        button.setAutoRaise(False)
        button.clicked.connect(lambda _checked=False: slot())
        self.action_layout.addWidget(button)
        return button

    def button(self, caption: str) -> QToolButton | None:
        """The action button showing ``caption`` (None if there is none)."""
        for index in range(self.action_layout.count()):
            item = self.action_layout.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QToolButton) and widget.text() == caption:
                return widget
        return None

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """Show an action dialog, window-modal; it is :attr:`dialog` while open."""
        self.dialog = dialog
        dialog.finished.connect(lambda _result, d=dialog: self._dialog_closed(d))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def done(self, message: str) -> None:
        """A change was written: say so, and have everything shown again."""
        if not self._alive:
            return
        self.notify(message)
        self.refresh()
        self.changed.emit()

    def notify(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()
        self._notice_timer.start(NOTICE_MS)

    def report(self, error: Exception) -> None:
        if self._alive:
            self.failed.emit(error)

    # --- what each record shows -----------------------------------------------------------

    def fetch(self) -> Any:
        raise NotImplementedError

    def title(self, record: Any) -> str:
        raise NotImplementedError

    def fields(self, record: Any) -> Sequence[Field]:
        raise NotImplementedError

    def add_actions(self, record: Any) -> None:
        """Buttons of the record (:meth:`add_button`); none by default."""

    def add_lists(self, record: Any) -> None:
        """Sub-lists shown under the fields; none by default."""
