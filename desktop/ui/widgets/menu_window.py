"""The windows the menus open (renewals, billing, dunning, SEPA, service quality).

Each is one at a time, closes itself for good (results still on their way are
then dropped: :attr:`MenuWindow.alive`), and knows the database, who works,
how to open a client's record and how to refresh the main window after a run.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from desktop.db.engine import Database
from desktop.ui.tabs.specs import RecordKind


class MenuWindow(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        db: Database,
        actor: str,
        open_record: Callable[[RecordKind, int], None],
        refresh: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.open_record = open_record
        self.refresh_window = refresh
        self._alive = True
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    @property
    def alive(self) -> bool:
        return self._alive

    def done(self, result: int) -> None:
        self._alive = False
        super().done(result)
