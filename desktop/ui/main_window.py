"""The office window: five tabs over the whole database, record views, history."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from desktop import __version__
from desktop.db.engine import Database
from desktop.domain.enums import StaffRole
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.paths import log_dir
from desktop.services.outbox import SendReport
from desktop.services.staff import StaffAccount
from desktop.services.upkeep import Upkeep
from desktop.ui.db_worker import DbWorker
from desktop.ui.dialogs.audit_dialog import open_audit
from desktop.ui.dialogs.billing_run import BillingRunDialog
from desktop.ui.dialogs.catalogue_dialog import open_catalogue
from desktop.ui.dialogs.dunning_dialog import DunningDialog
from desktop.ui.dialogs.outbox_dialog import OutboxDialog
from desktop.ui.dialogs.password_dialog import change_own_password
from desktop.ui.dialogs.personal_data_dialog import open_personal_data
from desktop.ui.dialogs.renewals import RenewalsDialog
from desktop.ui.dialogs.report_dialogs import SPECS, ReportDialog, ReportKind, open_report
from desktop.ui.dialogs.sepa_batches_dialog import SepaBatchesDialog
from desktop.ui.dialogs.sepa_export_dialog import SepaExportDialog
from desktop.ui.dialogs.sla_dialog import SlaDialog
from desktop.ui.dialogs.sla_settings_dialog import edit_sla_settings
from desktop.ui.dialogs.staff_dialog import open_staff
from desktop.ui.export_action import make_export_action
from desktop.ui.outbox_sender import OutboxSender
from desktop.ui.progress import Progress, run_with_progress
from desktop.ui.role_gate import RoleGate
from desktop.ui.tabs.dashboard_tab import DashboardTab, show_list
from desktop.ui.tabs.invoice_batch import InvoiceBatch
from desktop.ui.tabs.list_panel import EDITABLE
from desktop.ui.tabs.record_tab import RecordTab
from desktop.ui.tabs.specs import MAIN_TABS, RecordKind
from desktop.ui.views.base import DEFAULT_ACTOR, RecordView
from desktop.ui.views.records import VIEWS

log = logging.getLogger(__name__)

APP_TITLE = "Back-Office Messagerie"

D = TypeVar("D", bound=QDialog)

TAB_OF: dict[RecordKind, int] = {
    RecordKind.CLIENT: 0,
    RecordKind.CONTRACT: 0,
    RecordKind.DOMAIN: 1,
    RecordKind.MAILBOX: 2,
    RecordKind.INVOICE: 3,
    RecordKind.INCIDENT: 4,
    RecordKind.QUOTE: 5,
}


@dataclass(frozen=True)
class Actions:
    """What the window's menus can do beyond lists: dialogs and long jobs, injected."""

    edit: Callable[[QWidget, RecordKind, int | None, int | None], bool] | None = None
    """Open the create (id None) or edit dialog; True when something was saved."""
    load_demo: Callable[[Progress], object] | None = None
    settings: Callable[[QWidget], bool] | None = None


class History:
    """Records opened, in order, with a cursor: back and forward like a browser."""

    def __init__(self) -> None:
        self.entries: list[tuple[RecordKind, int]] = []
        self.position = -1

    def push(self, entry: tuple[RecordKind, int]) -> None:
        if 0 <= self.position < len(self.entries) and self.entries[self.position] == entry:
            return
        del self.entries[self.position + 1 :]
        self.entries.append(entry)
        self.position = len(self.entries) - 1

    def step(self, offset: int) -> tuple[RecordKind, int] | None:
        target = self.position + offset
        if not 0 <= target < len(self.entries):
            return None
        self.position = target
        return self.entries[target]

    def can_step(self, offset: int) -> bool:
        return 0 <= self.position + offset < len(self.entries)


class MainWindow(QMainWindow):
    record_opened = Signal(object, int)

    def __init__(
        self, db: Database, *, actions: Actions | None = None, actor: str = DEFAULT_ACTOR
    ) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.actions = actions or Actions()
        self.account: StaffAccount | None = None
        """The staff account logged in (None while accounts are not in use)."""
        self.gate = RoleGate()
        """What the logged-in role may do, shared with the lists, records and dialogs."""
        self.renewals: RenewalsDialog | None = None
        self.billing: BillingRunDialog | None = None
        self.dunning: DunningDialog | None = None
        self.sepa: SepaExportDialog | None = None
        self.sepa_batches: SepaBatchesDialog | None = None
        self.sla: SlaDialog | None = None
        self.outbox: OutboxDialog | None = None
        self.mail_sender: OutboxSender | None = None
        self.worker = DbWorker()
        self.history = History()
        self.settings = QSettings()
        self.setWindowTitle(f"{APP_TITLE} — {db.description}")
        self.setMinimumSize(1000, 600)
        self.resize(1280, 760)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.record_tabs: list[RecordTab] = []
        for spec in MAIN_TABS:
            tab = RecordTab(spec, db, self.worker, self.gate)
            self._wire(tab)
            self.record_tabs.append(tab)
            self.tabs.addTab(tab, spec.title)
        self._last_record_index = 0
        self.dashboard = DashboardTab(db, self.worker)
        self.dashboard.list_requested.connect(lambda request: show_list(self, request))
        self.dashboard.failed.connect(self.show_error)
        self.tabs.addTab(self.dashboard, "Tableau de bord")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        self.invoice_batch = InvoiceBatch(
            self,
            self.record_tabs[TAB_OF[RecordKind.INVOICE]].panel,
            db=db,
            worker=self.worker,
            actor=actor,
            changed=self.refresh,
            failed=self.show_error,
            notify=self.show_notice,
            gate=self.gate,
        )
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.setStyleSheet(
            "#recordHeading { font-size: 17px; font-weight: 600; padding: 4px 0; }"
            "#placeholder { color: #777; }"
        )
        self._restore_layout()
        self._tab_changed(self.tabs.currentIndex())

    # --- wiring -------------------------------------------------------------------------

    def _wire(self, tab: RecordTab) -> None:
        panel = tab.panel
        panel.open_requested.connect(self.open_record)
        panel.edit_requested.connect(self.edit_record)
        panel.new_requested.connect(lambda kind: self.new_record(kind))
        panel.failed.connect(self.show_error)
        panel.count_changed.connect(lambda text, t=tab: self._show_count(t, text))

    def _icon(self, pixmap: QStyle.StandardPixmap) -> QIcon:
        return self.style().standardIcon(pixmap)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | str | None = None,
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self._icon(icon))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        pix = QStyle.StandardPixmap
        self.new_action = self._action("&Nouveau…", self.new_record, "Ctrl+N", pix.SP_FileIcon)
        self.edit_action = self._action(
            "&Modifier…", self.edit_current, "Ctrl+E", pix.SP_FileDialogDetailedView
        )
        self.search_action = self._action(
            "&Rechercher",
            self.focus_search,
            QKeySequence.StandardKey.Find,
            pix.SP_FileDialogContentsView,
        )
        self.refresh_action = self._action("&Actualiser", self.refresh, "F5", pix.SP_BrowserReload)
        self.back_action = self._action(
            "&Précédent", lambda: self.step_history(-1), "Alt+Left", pix.SP_ArrowBack
        )
        self.forward_action = self._action(
            "&Suivant", lambda: self.step_history(1), "Alt+Right", pix.SP_ArrowForward
        )
        self.close_action = self._action("&Fermer la fiche", self.close_record, "Esc")
        self.demo_action = self._action(
            "Charger les données de &démonstration…", self.load_demo_data
        )
        self.demo_action.setEnabled(self.actions.load_demo is not None)
        self.settings_action = self._action(
            "&Paramètres…",
            self.open_settings,
            QKeySequence.StandardKey.Preferences,
            pix.SP_FileDialogInfoView,
        )
        self.settings_action.setEnabled(self.actions.settings is not None)
        self.staff_action = self._action("Comptes du pe&rsonnel…", self.open_staff)
        self.password_action = self._action("Changer de mot de &passe…", self.change_password)
        self.password_action.setEnabled(False)  # once logged in (show_account)
        self.quit_action = self._action("&Quitter", self.close, "Ctrl+Q")
        self.renewals_action = self._action("&Renouvellements…", self.open_renewals)
        self.billing_action = self._action("Facturation &mensuelle…", self.open_billing)
        self.dunning_action = self._action("Relances des &impayés…", self.open_dunning)
        self.sepa_action = self._action("Prélèvements &SEPA…", self.open_sepa)
        self.sepa_batches_action = self._action("&Remises SEPA…", self.open_sepa_batches)
        self.sla_action = self._action("&Disponibilité et avoirs (SLA)…", self.open_sla)
        self.sla_settings_action = self._action(
            "&Réglages de la qualité de service…", self.open_sla_settings
        )
        self.outbox_action = self._action("Boîte d'&envoi des e-mails…", self.open_outbox)
        self.export_action = make_export_action(self)
        self.catalogue_action = self._action(
            "&Catalogue et tarifs…",
            lambda: open_catalogue(self, db=self.db, worker=self.worker, actor=self.actor),
        )
        self.tab_actions = [
            self._action(
                f"&{index + 1}  {spec.title}", lambda i=index: self.show_tab(i), f"Ctrl+{index + 1}"
            )
            for index, spec in enumerate(MAIN_TABS)
        ]
        self.tab_actions.append(
            self._action(
                f"&{len(MAIN_TABS) + 1}  Tableau de bord",
                lambda: self.show_tab(len(MAIN_TABS)),
                f"Ctrl+{len(MAIN_TABS) + 1}",
            )
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&Fichier")
        for action in (self.new_action, self.demo_action, self.settings_action):
            file_menu.addAction(action)
        self.personal_data_action = self._action(
            "D&onnées personnelles…", lambda: open_personal_data(self, self.db, self.actor)
        )
        file_menu.addAction(self.personal_data_action)
        file_menu.addAction(self.staff_action)
        self.audit_action = self._action(
            "&Journal d'audit…",
            lambda: open_audit(self, db=self.db, worker=self.worker, actor=self.actor),
        )
        file_menu.addAction(self.audit_action)
        self.import_action = self._action(
            "&Importer des clients, domaines ou boîtes…", self.open_import
        )
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.password_action)
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Édition")
        edit_menu.addAction(self.edit_action)
        edit_menu.addAction(self.search_action)
        contracts_menu = bar.addMenu("&Contrats")
        contracts_menu.addAction(self.renewals_action)
        billing_menu = bar.addMenu("Fac&turation")
        billing_menu.addAction(self.billing_action)
        billing_menu.addAction(self.dunning_action)
        billing_menu.addAction(self.sepa_action)
        billing_menu.addAction(self.sepa_batches_action)
        billing_menu.addAction(self.outbox_action)
        billing_menu.addAction(self.catalogue_action)
        billing_menu.addSeparator()
        for action in self.invoice_batch.actions:
            billing_menu.addAction(action)
        quality_menu = bar.addMenu("&Qualité")
        quality_menu.addAction(self.sla_action)
        quality_menu.addAction(self.sla_settings_action)
        reports_menu = bar.addMenu("&Rapports")
        for kind, spec in SPECS.items():
            reports_menu.addAction(self._action(spec.menu, lambda k=kind: self.open_report(k)))
        reports_menu.addSeparator()
        reports_menu.addAction(self._action("&Disponibilité (SLA)…", self.open_sla))
        view_menu = bar.addMenu("&Affichage")
        for action in self.tab_actions:
            view_menu.addAction(action)
        view_menu.addSeparator()
        for action in (self.back_action, self.forward_action, self.close_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        help_menu = bar.addMenu("&Aide")
        help_menu.addAction(self._action("Ouvrir le dossier des &journaux", self.open_logs))
        help_menu.addAction(self._action("À &propos", self.show_about))

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Barre d'outils")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.back_action, self.forward_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.new_action, self.edit_action, self.search_action, self.refresh_action):
            toolbar.addAction(action)
        toolbar.addAction(self.export_action)
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        self.count_label = QLabel("")
        self.database_label = QLabel(f"Base de données : {self.db.description}")
        self.statusBar().addWidget(self.count_label, 1)
        self.account_label = QLabel("")
        self.account_label.setContentsMargins(0, 0, 16, 0)
        self.statusBar().addPermanentWidget(self.account_label)
        self.statusBar().addPermanentWidget(self.database_label)

    # --- tabs and records ---------------------------------------------------------------------

    @property
    def current_tab(self) -> RecordTab:
        """The record tab shown; on the dashboard, the last one shown (its actions are off)."""
        index = self.tabs.currentIndex()
        return self.record_tabs[index if index < len(self.record_tabs) else self._last_record_index]

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self.focus_search()

    def _tab_changed(self, index: int) -> None:
        if index >= len(self.record_tabs):  # the dashboard: no list, no record
            self.count_label.setText("Tableau de bord")
            for action in (self.new_action, self.edit_action, self.search_action):
                action.setEnabled(False)
            self.close_action.setEnabled(False)
            return
        self._last_record_index = index
        self.search_action.setEnabled(True)
        tab = self.record_tabs[index]
        self.count_label.setText(f"{tab.spec.title} : {tab.panel.count_label.text()}")
        editable = tab.spec.kind in EDITABLE and self.actions.edit is not None
        self.new_action.setEnabled(editable and self.may_write(tab.spec.kind))
        self._update_actions()

    def _show_count(self, tab: RecordTab, text: str) -> None:
        if tab is self.tabs.currentWidget():
            self.count_label.setText(f"{tab.spec.title} : {text}")

    def _update_actions(self) -> None:
        view = self.current_tab.view if self.tabs.currentWidget() is not self.dashboard else None
        self.edit_action.setEnabled(
            self.actions.edit is not None
            and view is not None
            and view.editable
            and self.may_write(view.kind)
        )
        self.close_action.setEnabled(view is not None)
        self.back_action.setEnabled(self.history.can_step(-1))
        self.forward_action.setEnabled(self.history.can_step(1))

    def open_record(self, kind: RecordKind, record_id: int, *, remember: bool = True) -> None:
        tab = self.record_tabs[TAB_OF[kind]]
        view = VIEWS[kind](self.db, self.worker, record_id, actor=self.actor, gate=self.gate)
        view.navigate.connect(self.open_record)
        view.edit_requested.connect(self.edit_record)
        view.new_requested.connect(self.new_record)
        view.changed.connect(lambda v=view: self.refresh(but=v))
        view.failed.connect(self.show_error)
        tab.show_record(view)
        self.tabs.setCurrentWidget(tab)
        if remember:
            self.history.push((kind, record_id))
        self._update_actions()
        self.record_opened.emit(kind, record_id)

    def step_history(self, offset: int) -> None:
        entry = self.history.step(offset)
        if entry is not None:
            self.open_record(*entry, remember=False)

    def close_record(self) -> None:
        if not self.current_tab.close_record():
            self.current_tab.panel.search.clear()
        self.current_tab.panel.table.setFocus()
        self._update_actions()

    def focus_search(self) -> None:
        search = self.current_tab.panel.search
        search.setFocus()
        search.selectAll()

    def refresh(self, *, but: RecordView | None = None) -> None:
        """Every list and open record again (``but`` this record, already up to date)."""
        for tab in self.record_tabs:
            tab.panel.refresh()
            if tab.view is not None and tab.view is not but:
                tab.view.refresh()
        self.dashboard.refresh()

    # --- editing ------------------------------------------------------------------------

    def new_record(self, kind: RecordKind | None = None, client_id: int | None = None) -> None:
        kind = kind or self.current_tab.spec.kind
        if self.actions.edit is None or kind not in EDITABLE:
            return
        view = self.current_tab.view
        if client_id is None and view is not None and view.kind is RecordKind.CLIENT:
            client_id = view.record_id
        if self.actions.edit(self, kind, None, client_id):
            self.refresh()

    def edit_current(self) -> None:
        view = self.current_tab.view
        if view is not None and view.editable:
            self.edit_record(view.kind, view.record_id)

    def edit_record(self, kind: RecordKind, record_id: int) -> None:
        if self.actions.edit is not None and self.actions.edit(self, kind, record_id, None):
            self.refresh()

    # --- long jobs and dialogs ------------------------------------------------------------

    def load_demo_data(self) -> None:
        load = self.actions.load_demo
        if load is None:
            return

        def done(_summary: object) -> None:
            self.demo_action.setEnabled(False)
            self.refresh()

        self.demo_progress = run_with_progress(
            self, "Chargement des données de démonstration", load, done, self.show_error
        )

    def open_renewals(self) -> RenewalsDialog:
        """The renewals window (one at a time): what is coming, and the anniversary run."""
        args = self._record_window_args()
        return self._open_once("renewals", lambda: RenewalsDialog(self, worker=self.worker, **args))

    def open_billing(self) -> BillingRunDialog:
        """The monthly billing window (one at a time): preview, then run."""
        args = self._record_window_args()
        return self._open_once("billing", lambda: BillingRunDialog(self, **args))

    def open_dunning(self) -> DunningDialog:
        """The late-payment window (one at a time): the steps due now, then the run."""
        args = self._record_window_args()
        return self._open_once("dunning", lambda: DunningDialog(self, worker=self.worker, **args))

    def open_import(self) -> QDialog:
        """The spreadsheet import window (one at a time): check, then import."""
        from desktop.ui.dialogs.import_dialog import ImportDialog

        dialog = getattr(self, "import_window", None)
        if dialog is None:
            dialog = ImportDialog(
                self, db=self.db, worker=self.worker, actor=self.actor, refresh=self.refresh
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _result: setattr(self, "import_window", None))
            self.import_window = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_sepa(self) -> SepaExportDialog:
        """The direct-debit window (one at a time): the debits due, then the pain.008 file."""
        args = self._record_window_args()
        return self._open_once("sepa", lambda: SepaExportDialog(self, worker=self.worker, **args))

    def open_sepa_batches(self) -> SepaBatchesDialog:
        """The batches sent (one window): collections, rejections, the bank's camt.054."""
        args = self._record_window_args()
        return self._open_once(
            "sepa_batches", lambda: SepaBatchesDialog(self, worker=self.worker, **args)
        )

    def open_sla(self) -> SlaDialog:
        """The service-quality window (one at a time): availability, credits due, Excel."""
        args = self._record_window_args()
        return self._open_once("sla", lambda: SlaDialog(self, worker=self.worker, **args))

    def open_report(self, kind: ReportKind, client_id: int | None = None) -> ReportDialog:
        """A report of the « Rapports » menu: its date, month or client, then the file."""
        return open_report(
            self,
            db=self.db,
            worker=self.worker,
            kind=kind,
            client_id=client_id,
            notify=self.show_notice,
        )

    def open_sla_settings(self) -> None:
        """The support calendar and objectives; the lists show the new deadlines."""
        if edit_sla_settings(self, self.db, self.actor):
            self.refresh()

    def open_outbox(self) -> OutboxDialog:
        """The outgoing mail window (one at a time): this desktop's SMTP server, the queue."""
        return self._open_once(
            "outbox", lambda: OutboxDialog(self, db=self.db, worker=self.worker, actor=self.actor)
        )

    def _record_window_args(self) -> dict[str, Any]:
        """What the windows listing clients need: the database, who works, opening a
        record and refreshing the window after a run."""
        return {
            "db": self.db,
            "actor": self.actor,
            "open_record": self.open_record,
            "refresh": self.refresh,
        }

    def _open_once(self, name: str, make: Callable[[], D]) -> D:
        """The window kept in the attribute ``name``: made if none is open, then shown."""
        dialog: D | None = getattr(self, name)
        if dialog is None:
            dialog = make()
            setattr(self, name, dialog)
            dialog.finished.connect(lambda _result: setattr(self, name, None))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_notice(self, message: str) -> None:
        """A short outcome in the status bar (a batch of invoices issued, PDF saved…)."""
        self.statusBar().showMessage(message, 15_000)

    def show_upkeep(self, upkeep: Upkeep) -> None:
        """The day's upkeep done at start: what it changed, in the status bar."""
        if upkeep.changed:
            self.show_notice(f"{upkeep.summary()}.")
            self.refresh()

    def show_account(self, account: StaffAccount) -> None:
        """Who is logged in, in the status bar; their password can then be changed."""
        self.account = account
        self.account_label.setText(f"Connecté : {account.full_name} ({account.role.label})")
        self.password_action.setEnabled(True)
        self._grey_out_for(account.role)
        self._tab_changed(self.tabs.currentIndex())

    def may_write(self, kind: RecordKind) -> bool:
        """Whether the logged-in role may create or change this kind of record."""
        return self.gate.may_write(kind)

    def _grey_out_for(self, role: StaffRole) -> None:
        """Grey what this role may not use (the services refuse it anyway)."""
        self.gate.role = role
        needs = {
            self.settings_action: Permission.SETTINGS,
            self.catalogue_action: Permission.SETTINGS,
            self.sla_settings_action: Permission.SETTINGS,
            self.demo_action: Permission.SETTINGS,
            self.staff_action: Permission.USERS,
            self.audit_action: Permission.AUDIT,
            self.personal_data_action: Permission.PERSONAL_DATA,
            self.import_action: Permission.CUSTOMERS,
            self.renewals_action: Permission.CONTRACTS,
            self.billing_action: Permission.BILLING,
            self.dunning_action: Permission.DUNNING,
            self.sepa_action: Permission.SEPA,
            self.sepa_batches_action: Permission.SEPA,
        }
        for action, permission in needs.items():
            self.gate.gate(action, permission)
        self.invoice_batch.update_actions()
        for tab in self.record_tabs:
            if tab.view is not None:
                tab.view.refresh()

    def open_staff(self) -> QDialog:
        """The staff accounts (managed by administrators)."""
        return open_staff(self, self.db, self.actor)

    def change_password(self) -> QDialog | None:
        """The logged-in user's own password."""
        if self.account is None:
            return None
        return change_own_password(self, self.db, self.account.login, self.show_notice)

    def open_settings(self) -> None:
        if self.actions.settings is not None and self.actions.settings(self):
            self.refresh()

    def open_logs(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))

    def show_error(self, error: Exception) -> None:
        if isinstance(error, UserError):
            QMessageBox.warning(self, APP_TITLE, error.message)
            return
        log.error("Unexpected error", exc_info=error)
        QMessageBox.critical(
            self,
            APP_TITLE,
            "Une erreur inattendue est survenue ; rien n'a été enregistré à moitié.\n\n"
            f"{type(error).__name__} : {error}\n\n"
            f"Le détail est dans le journal : {log_dir()}",
        )

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"À propos de {APP_TITLE}",
            f"<b>{APP_TITLE}</b> {__version__}<br>"
            "Gestion des clients, domaines, boîtes aux lettres, contrats, factures et "
            "incidents d'un prestataire de messagerie hébergée.",
        )

    # --- remembered layout --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for tab in self.record_tabs:
            key = f"tabs/{tab.spec.kind.value}"
            splitter = self.settings.value(f"{key}/splitter")
            header = self.settings.value(f"{key}/header")
            tab.restore_state(
                splitter if isinstance(splitter, QByteArray) else None,
                header if isinstance(header, QByteArray) else None,
            )
        tab_index = self.settings.value("window/tab", 0, type=int)
        if isinstance(tab_index, int) and 0 <= tab_index < self.tabs.count():
            self.tabs.setCurrentIndex(tab_index)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/tab", self.tabs.currentIndex())
        for tab in self.record_tabs:
            splitter, header = tab.save_state()
            key = f"tabs/{tab.spec.kind.value}"
            self.settings.setValue(f"{key}/splitter", splitter)
            self.settings.setValue(f"{key}/header", header)
        self.settings.sync()

    def start_sending(self, sender: OutboxSender | None = None) -> OutboxSender:
        """Send the outbox in the background while the window is open."""
        self.mail_sender = sender or OutboxSender(self, self.db)
        self.mail_sender.sent.connect(self._mail_sent)
        self.mail_sender.start()
        return self.mail_sender

    def _mail_sent(self, report: SendReport) -> None:
        self.statusBar().showMessage(
            f"E-mails : {report.sent} envoyé(s), {report.failed} en échec "
            "(détail : Facturation > Boîte d'envoi des e-mails).",
            15_000,
        )
        if self.outbox is not None:
            self.outbox.load()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.mail_sender is not None:
            self.mail_sender.stop()
        self.save_layout()
        self.worker.stop()
        super().closeEvent(event)
