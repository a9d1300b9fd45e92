"""The main window: what the database holds, and the way in to demo data."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.domain.enums import MailboxStatus
from desktop.errors import UserError
from desktop.services.overview import Overview
from desktop.ui.tasks import run_in_background

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)
APP_TITLE = "Back-Office Messagerie"


def french_int(value: int) -> str:
    return FRENCH.toString(value)


class Card(QFrame):
    """A figure with its caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.figure = QLabel("—")
        self.figure.setObjectName("figure")
        self.figure.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel("")
        self.detail.setObjectName("detail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        title = QLabel(caption)
        title.setObjectName("caption")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.figure)
        layout.addWidget(self.detail)

    def show_value(self, value: int, detail: str = "") -> None:
        self.figure.setText(french_int(value))
        self.detail.setText(detail)


class MainWindow(QMainWindow):
    overview_changed = Signal(object)

    def __init__(
        self,
        database_description: str,
        load_overview: Callable[[], Overview],
        load_demo: Callable[[], object],
    ) -> None:
        super().__init__()
        self._load_overview = load_overview
        self._load_demo = load_demo
        self.setWindowTitle(APP_TITLE)
        self.resize(980, 560)
        self._build_menus()
        self._build_body()
        self.statusBar().showMessage(f"Base de données : {database_description}")
        self.refresh()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Fichier")
        self.demo_action = QAction("Charger les données de &démonstration…", self)
        self.demo_action.triggered.connect(self.load_demo_data)
        file_menu.addAction(self.demo_action)
        refresh = QAction("&Actualiser", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        file_menu.addAction(refresh)
        file_menu.addSeparator()
        quit_action = QAction("&Quitter", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Aide")
        about = QAction("À &propos", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_body(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 20, 24, 20)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        layout.addWidget(self.heading)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.clients_card = Card("Clients")
        self.domains_card = Card("Domaines")
        self.contracts_card = Card("Contrats")
        self.mailboxes_card = Card("Boîtes aux lettres")
        for column, card in enumerate(
            (self.clients_card, self.domains_card, self.contracts_card, self.mailboxes_card)
        ):
            grid.addWidget(card, 0, column)
        layout.addLayout(grid)
        statuses_title = QLabel("Boîtes aux lettres par état")
        statuses_title.setObjectName("section")
        layout.addSpacing(12)
        layout.addWidget(statuses_title)
        self.status_grid = QGridLayout()
        self.status_grid.setHorizontalSpacing(32)
        self.status_labels: dict[MailboxStatus, QLabel] = {}
        for index, status in enumerate(MailboxStatus):
            count = QLabel("—")
            count.setObjectName("count")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.status_labels[status] = count
            row, column = divmod(index, 3)
            self.status_grid.addWidget(QLabel(status.label), row, column * 2)
            self.status_grid.addWidget(count, row, column * 2 + 1)
        self.status_grid.setColumnStretch(6, 1)
        layout.addLayout(self.status_grid)
        layout.addStretch(1)
        body.setStyleSheet(
            "#heading { font-size: 20px; font-weight: 600; }"
            "#card { background: palette(base); border-radius: 6px; }"
            "#caption { font-size: 13px; color: #555; font-weight: 600; }"
            "#section { font-size: 15px; font-weight: 600; }"
            "#count { font-weight: 600; min-width: 60px; }"
            "#figure { font-size: 30px; font-weight: 600; }"
            "#detail { color: #555; }"
        )
        self.setCentralWidget(body)

    def refresh(self) -> None:
        run_in_background(self._load_overview, self.show_overview, self.show_error)

    def show_overview(self, overview: Overview) -> None:
        self.heading.setText(overview.provider_name or "Aucun prestataire enregistré")
        self.demo_action.setEnabled(overview.is_empty)
        self.hint.setText(
            "La base est vide : chargez les données de démonstration (menu Fichier) "
            "pour découvrir l'application."
            if overview.is_empty
            else ""
        )
        self.hint.setVisible(overview.is_empty)
        self.clients_card.show_value(
            overview.clients, f"dont {french_int(overview.active_clients)} actifs"
        )
        self.domains_card.show_value(overview.domains)
        self.contracts_card.show_value(
            overview.contracts, f"dont {french_int(overview.active_contracts)} actifs"
        )
        active = dict(overview.mailboxes_by_status).get(MailboxStatus.ACTIVE, 0)
        self.mailboxes_card.show_value(overview.mailboxes, f"dont {french_int(active)} actives")
        for status, count in overview.mailboxes_by_status:
            self.status_labels[status].setText(french_int(count))
        self.overview_changed.emit(overview)

    def load_demo_data(self) -> None:
        progress = QProgressDialog("Chargement des données de démonstration…", "", 0, 0, self)
        progress.setWindowTitle(APP_TITLE)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.show()

        def done(_result: object) -> None:
            progress.close()
            self.refresh()

        def failed(error: Exception) -> None:
            progress.close()
            self.show_error(error)

        run_in_background(self._load_demo, done, failed)

    def show_error(self, error: Exception) -> None:
        if not isinstance(error, UserError):
            raise error
        QMessageBox.warning(self, APP_TITLE, error.message)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"À propos de {APP_TITLE}",
            f"<b>{APP_TITLE}</b> {__version__}<br>"
            "Gestion des clients, domaines, boîtes aux lettres, contrats et factures "
            "d'un prestataire de messagerie hébergée.",
        )
